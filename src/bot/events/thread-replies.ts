import type { App } from '@slack/bolt';
import type { Logger } from '../../logger.ts';

/** A person's reply in a thread, as the listener read it (jobs/answer-clarification.ts decides what it answers). */
export interface ThreadReply {
  channelId: string;
  threadTs: string;
  userId: string;
  text: string;
}

export interface ThreadReplyDeps {
  /** main.ts hands this in (jobs/answer-clarification.ts with its dependencies). */
  answerInThread(reply: ThreadReply): Promise<unknown>;
  log: Logger;
}

interface MessageEvent {
  subtype?: string;
  bot_id?: string;
  user?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
}

/** A reply in a thread, by a person: not a bot, not Baton, not an edit or a join (those carry a subtype). */
export function parseThreadReply(event: MessageEvent, botUserId: string | undefined): ThreadReply | undefined {
  if (event.subtype !== undefined || event.bot_id || !event.user || event.user === botUserId) return undefined;
  if (!event.thread_ts || event.thread_ts === event.ts || !event.text) return undefined;
  return { channelId: event.channel, threadTs: event.thread_ts, userId: event.user, text: event.text };
}

export const REPLY_FAILED = 'Baton could not read your reply just now. If a run in this thread is waiting for an answer, it is still waiting: reply again in a minute.';

/**
 * `message` events (message.channels / message.groups). Bolt acks Events API calls itself; the
 * handler only looks for an answer to a run that waits for one. Minimal on purpose: the thread
 * conversation features build on this.
 */
export function registerThreadReplies(app: App, deps: ThreadReplyDeps): void {
  app.event('message', async ({ event, context, client }) => {
    // Baton's own bot user (Bolt reads it with auth.test): its messages are never answers.
    const reply = parseThreadReply(event as unknown as MessageEvent, context.botUserId);
    if (!reply) return;
    try {
      await deps.answerInThread(reply);
    } catch (error) {
      const log = deps.log.child({ channel: reply.channelId, threadTs: reply.threadTs, user: reply.userId });
      log.error({ err: error }, 'a thread reply could not be handled');
      // The person may be answering a run's question: they must not believe it resumed.
      await client.chat
        .postEphemeral({ channel: reply.channelId, thread_ts: reply.threadTs, user: reply.userId, text: REPLY_FAILED })
        .catch((tellError: unknown) => log.error({ err: tellError }, 'and the person who replied could not be told'));
    }
  });
}
