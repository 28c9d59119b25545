import type { Run } from '../../domain/run.ts';

/** The name of the full diff's file, as uploaded to the thread and named on the review card. */
export function diffFileName(run: Run): string {
  const sha = run.outcome?.headSha ?? run.headSha;
  const key = run.ticketKey.replace(/[^A-Za-z0-9_-]/g, '_');
  return sha ? `${key}-${sha.slice(0, 7)}.diff` : `${key}.diff`;
}
