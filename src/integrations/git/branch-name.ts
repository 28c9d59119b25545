import { GitError } from './git-error.ts';

export const BRANCH_PREFIX = 'baton/';

/** Lower-case ASCII words joined by dashes, cut at a word boundary when that keeps most of it. */
export function slugify(title: string, maxLength = 40): string {
  const ascii = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents split off by NFKD: "Café" → "Cafe"
    .toLowerCase();
  const dashed = ascii.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (dashed.length <= maxLength) return dashed;
  const cut = dashed.slice(0, maxLength);
  const lastDash = cut.lastIndexOf('-');
  return (lastDash > maxLength / 2 ? cut.slice(0, lastDash) : cut).replace(/-+$/, '');
}

/** `baton/ENG-123-fix-login-crash`; a title with no ASCII words gives `baton/ENG-123`. */
export function branchName(ticketKey: string, title: string): string {
  const key = ticketKey.trim().replace(/[^A-Za-z0-9-]/g, '').replace(/^-+|-+$/g, '');
  if (!key) throw new GitError('invalid_input', `ticket key ${JSON.stringify(ticketKey)} gives no usable branch name`);
  const slug = slugify(title);
  return slug ? `${BRANCH_PREFIX}${key}-${slug}` : `${BRANCH_PREFIX}${key}`;
}
