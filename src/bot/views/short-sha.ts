/** A commit as people read it: its first 7 hex digits (anything else in the string is dropped, never shown). */
export function shortSha(sha: string): string {
  return sha.replace(/[^0-9a-f]/gi, '').slice(0, 7) || 'unknown';
}
