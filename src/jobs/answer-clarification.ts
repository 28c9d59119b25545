import { appendAudit } from '../db/audit-log.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { answerClarification } from '../db/run-agent.ts';
import { findRunByThread } from '../db/run-threads.ts';
import type { Run } from '../domain/run.ts';
import type { SlackClient } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { refreshThread } from './refresh-thread.ts';
import type { Queue } from './queue.ts';

export interface AnswerDeps {
  pool: Pool;
  queue: Queue;
  slack: SlackClient | undefined;
  log: Logger;
}

export interface ThreadReply {
  channelId: string;
  threadTs: string;
  userId: string;
  text: string;
}

// The answer goes to the model as untrusted text; a reply longer than this is cut (the thread has it whole).
const ANSWER_LIMIT = 8_000;

/**
 * A person's reply in a run's thread. When the run waits for an answer, the reply is the answer:
 * stored with the run (runs.clarification_answer) and the run goes back in the queue, in one
 * transaction with its job; run.fix resumes the saved conversation with it. Any other reply is
 * left for the conversation features. Returns the resumed run, or undefined.
 */
export async function answerInThread(reply: ThreadReply, deps: AnswerDeps): Promise<Run | undefined> {
  const run = await findRunByThread(deps.pool, reply.channelId, reply.threadTs);
  if (!run || run.status !== 'needs_clarification') return undefined;
  const log = deps.log.child({ runId: run.id, ticket: run.ticketKey, user: reply.userId });
  const answer = reply.text.trim().slice(0, ANSWER_LIMIT);
  if (!answer) return undefined;
  const resumed = await withTransaction(deps.pool, async (tx) => {
    const next = await answerClarification(tx, run.id, { text: answer, by: reply.userId }, `Answered by ${reply.userId}; resuming.`);
    if (!next) return undefined;
    await deps.queue.enqueue(tx, 'run.fix', { runId: run.id }, { priority: next.priority, singletonKey: next.ticketKey });
    await appendAudit(tx, { runId: run.id, actor: reply.userId, action: 'run.resumed', detail: { why: 'thread reply' } });
    return next;
  });
  if (!resumed) return undefined;
  deps.queue.notify('run.fix');
  log.info('clarification answered in the thread; the run resumes');
  if (deps.slack) await refreshThread(resumed, deps.slack).catch((error: unknown) => log.warn({ err: error }, 'run resumed, but its thread status could not be updated'));
  return resumed;
}
