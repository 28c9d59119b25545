import type { RunOutcome } from '../domain/run.ts';

/** Files, added and removed lines of a unified diff (`git diff` output), as kept on the run. */
export function diffStats(diff: string): RunOutcome['diffStats'] {
  let files = 0;
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) files += 1;
    else if (line.startsWith('+') && !line.startsWith('+++ ')) added += 1;
    else if (line.startsWith('-') && !line.startsWith('--- ')) removed += 1;
  }
  return { files, added, removed };
}
