// git check-ref-format's rules, plus what would change a refspec's or a command line's meaning
// (`:` and `+` in a refspec, a leading `-` read as an option).
const FORBIDDEN_CHARACTERS = new Set([...'~^:?*[\\+']);

function hasForbiddenCharacter(name: string): boolean {
  return [...name].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f || FORBIDDEN_CHARACTERS.has(c));
}

/** Why `name` is not a branch name git and Baton would both accept, or undefined if it is one. */
export function refFormatProblem(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (name.length > 200) return 'longer than 200 characters';
  if (hasForbiddenCharacter(name)) return 'contains a space, control character or one of ~ ^ : ? * [ \\ +';
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('@{')) return 'contains "@{"';
  if (name.includes('//')) return 'contains "//"';
  if (name.endsWith('/') || name.endsWith('.')) return 'ends with "/" or "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.') || part.startsWith('-')) return 'has a path component starting with "." or "-"';
    if (part.endsWith('.lock')) return 'has a path component ending in ".lock"';
    if (part === '@') return 'has a path component "@"';
  }
  return undefined;
}
