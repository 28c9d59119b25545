import { WebClient, type Block, type KnownBlock } from '@slack/web-api';

export type Blocks = (Block | KnownBlock)[];

export interface SlackMessage {
  text: string;
  blocks?: Blocks;
  /** Posted as Slack message metadata, so the message can be found again (findTagged). */
  tag?: MessageTag;
}

/** Slack message metadata: `event_type` and a flat `event_payload` (chat.postMessage `metadata`). */
export interface MessageTag {
  eventType: string;
  payload: Record<string, string>;
}

/** Where findTagged looks: top-level messages since `oldest` (a ts), or the replies of `threadTs`. */
export type TaggedWhere = { oldest: string; threadTs?: undefined } | { threadTs: string; oldest?: undefined };

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
  /**
   * The ts of the newest message carrying `tag` (its event type, and every payload field equal), or
   * undefined. Reads conversations.history (or .replies in a thread) with include_all_metadata;
   * needs channels:history / groups:history.
   */
  findTagged(channel: string, tag: MessageTag, where: TaggedWhere): Promise<string | undefined>;
}

export interface SlackClientOptions {
  apiUrl: string;
  token: string;
  retries: number;
  /**
   * Called once for each verb that fails (after the SDK's retries) with the Slack API method and
   * the error's code, e.g. ('chat.postMessage', 'channel_not_found'); /metrics counts them.
   */
  onError?: (method: string, code: string) => void;
}

/** The Slack API method behind each verb, as /metrics labels its errors. */
const API_METHODS: Record<keyof SlackClient, string> = {
  postMessage: 'chat.postMessage',
  updateMessage: 'chat.update',
  deleteMessage: 'chat.delete',
  permalink: 'chat.getPermalink',
  respond: 'response_url',
  postEphemeral: 'chat.postEphemeral',
  usergroupMembers: 'usergroups.users.list',
  userName: 'users.info',
  findTagged: 'conversations.history',
};

// A thread root is looked for among the channel's messages since its run began: 10 pages of 200
// cover a busy channel's day; past that a duplicate is the lesser harm than a run that never starts.
const FIND_PAGE_SIZE = 200;
const FIND_MAX_PAGES = 10;

function toMetadata(tag: MessageTag | undefined): { event_type: string; event_payload: Record<string, string> } | undefined {
  return tag && { event_type: tag.eventType, event_payload: tag.payload };
}

function carries(metadata: { event_type?: string; event_payload?: Record<string, unknown> } | undefined, tag: MessageTag): boolean {
  if (metadata?.event_type !== tag.eventType) return false;
  return Object.entries(tag.payload).every(([key, value]) => metadata.event_payload?.[key] === value);
}

/**
 * Slack's own code when it answered with one (`channel_not_found`), else the SDK's
 * (`slack_webapi_rate_limited_error`, `slack_webapi_request_error`), else the HTTP status of a
 * response_url, else what kind of failure it was.
 */
export function slackErrorCode(error: unknown): string {
  const e = error as { data?: { error?: unknown }; code?: unknown; status?: unknown; name?: unknown } | null;
  if (typeof e?.data?.error === 'string') return e.data.error;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.status === 'number') return `http_${e.status}`;
  return e?.name === 'TimeoutError' ? 'timeout' : 'request_failed';
}

function reportingErrors(client: SlackClient, onError: (method: string, code: string) => void): SlackClient {
  const reporting = {} as Record<keyof SlackClient, (...args: never[]) => Promise<unknown>>;
  for (const verb of Object.keys(API_METHODS) as (keyof SlackClient)[]) {
    const call = client[verb] as (...args: unknown[]) => Promise<unknown>;
    reporting[verb] = async (...args: unknown[]) => {
      try {
        return await call(...args);
      } catch (error) {
        onError(API_METHODS[verb], slackErrorCode(error));
        throw error;
      }
    };
  }
  return reporting as unknown as SlackClient;
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
  const client: SlackClient = {
    async postMessage(channel, message, threadTs) {
      const result = await web.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        thread_ts: threadTs,
        unfurl_links: false,
        metadata: toMetadata(message.tag),
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
    async findTagged(channel, tag, where) {
      let cursor: string | undefined;
      for (let page = 0; page < FIND_MAX_PAGES; page += 1) {
        const base = { channel, limit: FIND_PAGE_SIZE, cursor, include_all_metadata: true };
        const result = where.threadTs
          ? await web.conversations.replies({ ...base, ts: where.threadTs })
          : await web.conversations.history({ ...base, oldest: where.oldest });
        const messages = result.messages ?? [];
        // history lists newest first, replies oldest first: the newest match either way.
        const found = (where.threadTs ? [...messages].reverse() : messages).find((m) => carries(m.metadata, tag));
        if (found?.ts) return found.ts;
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!result.has_more || !cursor) return undefined;
      }
      return undefined;
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
  return options.onError ? reportingErrors(client, options.onError) : client;
}
