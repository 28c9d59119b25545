import type { Run } from '../domain/run.ts';
import type { Queryable } from './pool.ts';
import { toRun, type RunRow } from './runs.ts';

/** The newest run whose thread is this one (a reply event names the channel and the root's ts). */
export async function findRunByThread(db: Queryable, channelId: string, threadTs: string): Promise<Run | undefined> {
  const { rows } = await db.query<RunRow>(
    'SELECT * FROM runs WHERE channel_id = $1 AND thread_ts = $2 ORDER BY created_at DESC LIMIT 1',
    [channelId, threadTs],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}
