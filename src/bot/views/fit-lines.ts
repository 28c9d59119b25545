/** Lines joined while they fit `max`; then one line saying how many were left out. */
export function fitLines(lines: string[], max: number, more: (n: number) => string): string {
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    // Room for the "… and n more" line that follows a cut.
    if (size + line.length + 1 > max - 60) break;
    kept.push(line);
    size += line.length + 1;
  }
  return kept.length < lines.length ? [...kept, more(lines.length - kept.length)].join('\n') : kept.join('\n');
}
