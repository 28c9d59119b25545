import { WebClient, type Block, type KnownBlock } from '@slack/web-api';

export type Blocks = (Block | KnownBlock)[];

export interface SlackMessage {
  text: string;
  blocks?: Blocks;
}

/** The Slack verbs Baton's jobs use, returning plain values rather than SDK responses. */
export interface SlackClient {
  postMessage(channel: string, message: SlackMessage, threadTs?: string): Promise<{ ts: string }>;
  updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void>;
  deleteMessage(channel: string, ts: string): Promise<void>;
  permalink(channel: string, ts: string): Promise<string>;
  /** Posts to a slash command's response_url (valid 30 minutes, 5 uses, per Slack). */
  respond(responseUrl: string, message: SlackMessage & { replaceOriginal?: boolean }): Promise<void>;
  /** A message only `user` sees, in `channel` (in a thread when `threadTs` is given); Slack keeps no copy. */
  postEphemeral(channel: string, user: string, message: SlackMessage, threadTs?: string): Promise<void>;
  /**
   * The user ids in a user group (the S… id behind a @handle). Needs the `usergroups:read` scope;
   * an unknown group throws Slack's `no_such_subteam`, and a Free workspace `plan_upgrade_required`.
   */
  usergroupMembers(groupId: string): Promise<string[]>;
  /** A person's name as Slack shows it (users.info: display name, else real name), or undefined. */
  userName(userId: string): Promise<string | undefined>;
}

export interface SlackClientOptions {
  apiUrl: string;
  token: string;
  retries: number;
}

// Per request. The SDK's default is no limit, and a call that hangs holds a job (and any claim it
// holds, like a run-end notice's 60 s one) for as long as the socket stays open.
const REQUEST_TIMEOUT_MS = 10_000;

export function createWebClient(options: SlackClientOptions): WebClient {
  return new WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    timeout: REQUEST_TIMEOUT_MS,
    retryConfig: { retries: options.retries },
    // A job that meets a rate limit fails and is retried by the queue with backoff, rather than
    // holding a worker while the SDK sleeps.
    rejectRateLimitedCalls: true,
  });
}

export function createSlackClient(options: SlackClientOptions): SlackClient {
  const web = createWebClient(options);
  return {
    async postMessage(channel, message, threadTs) {
      const result = await web.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        thread_ts: threadTs,
        unfurl_links: false,
      });
      if (!result.ts) throw new Error('Slack accepted the message but returned no ts');
      return { ts: result.ts };
    },
    async updateMessage(channel, ts, message) {
      await web.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
    },
    async deleteMessage(channel, ts) {
      await web.chat.delete({ channel, ts });
    },
    async permalink(channel, ts) {
      const result = await web.chat.getPermalink({ channel, message_ts: ts });
      if (!result.permalink) throw new Error('Slack returned no permalink');
      return result.permalink;
    },
    async postEphemeral(channel, user, message, threadTs) {
      await web.chat.postEphemeral({ channel, user, text: message.text, blocks: message.blocks, thread_ts: threadTs });
    },
    async usergroupMembers(groupId) {
      const result = await web.usergroups.users.list({ usergroup: groupId });
      return result.users ?? [];
    },
    async userName(userId) {
      const { user } = await web.users.info({ user: userId });
      const name = user?.profile?.display_name || user?.profile?.real_name || user?.real_name || user?.name;
      return name || undefined;
    },
    async respond(responseUrl, message) {
      const response = await fetch(responseUrl, {
        method: 'POST',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          response_type: 'ephemeral',
          replace_original: message.replaceOriginal ?? false,
          text: message.text,
          blocks: message.blocks,
        }),
      });
      if (!response.ok) throw Object.assign(new Error(`response_url answered ${response.status}`), { status: response.status });
    },
  };
}
