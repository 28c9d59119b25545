import type { LocalPull } from '../../db/local-pull-requests.ts';
import type { RepoOnDisk } from './repo-on-disk.ts';

// A page shows a diff; past this it says the rest was cut rather than sending megabytes.
const MAX_DIFF = 2 * 1024 * 1024;

const DIFF = ['diff', '--no-color', '--no-ext-diff', '--no-textconv', '--find-renames'];

/**
 * What the pull request changes: `base...head`, from the merge base, as GitHub shows it, so commits
 * that reached the base since do not show. A merged one whose head commits are gone (squashed, the
 * branch deleted, gc) shows its merge against the base it was opened on instead.
 */
export async function readDiff(repo: RepoOnDisk, pull: LocalPull): Promise<{ diff: string; truncated: boolean }> {
  let diff: string;
  try {
    diff = (await repo.run([...DIFF, `${pull.baseSha}...${pull.headSha}`, '--'])).stdout;
  } catch (error) {
    if (!pull.mergeSha) throw error;
    diff = (await repo.run([...DIFF, `${pull.baseSha}...${pull.mergeSha}`, '--'])).stdout;
  }
  if (Buffer.byteLength(diff) <= MAX_DIFF) return { diff, truncated: false };
  const cut = Buffer.from(diff).subarray(0, MAX_DIFF).toString('utf8');
  return { diff: cut.slice(0, cut.lastIndexOf('\n') + 1), truncated: true };
}
