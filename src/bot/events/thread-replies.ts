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

// The payload is signed by Slack but its fields are still only what the JSON says: each is checked.
interface MessageEvent {
  subtype?: unknown;
  bot_id?: unknown;
  user?: unknown;
  text?: unknown;
  ts?: unknown;
  thread_ts?: unknown;
  channel?: unknown;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** A reply in a thread, by a person: not a bot, not Baton, not an edit or a join (those carry a subtype). */
export function parseThreadReply(event: MessageEvent, botUserId: string | undefined): ThreadReply | undefined {
  if (event.subtype !== undefined || event.bot_id) return undefined;
  const [userId, threadTs, channelId, said] = [text(event.user), text(event.thread_ts), text(event.channel), text(event.text)];
  if (!userId || userId === botUserId || !threadTs || threadTs === event.ts || !channelId || !said) return undefined;
  return { channelId, threadTs, userId, text: said };
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
