import { flag, isObject, str, type SlackArgs } from './slack-args.ts';

/** A message as stored: Slack's message object plus the channel it is in. */
export interface SlackMessage {
  type: 'message';
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  files?: Record<string, unknown>[];
  reply_broadcast?: boolean;
  edited?: { user: string; ts: string };
  user: string;
  /** Set on the app's own messages; a person's message has neither. */
  bot_id?: string;
  app_id?: string;
  team: string;
}

export interface SlackEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  message_ts: string;
}

export interface MessageIdentity {
  teamId: string;
  appId: string;
  botUserId: string;
  botId: string;
  /** The channel's id when it exists (a `#name` may be given for one), else undefined. */
  channelId: (channel: string) => string | undefined;
  permalink: (channel: string, ts: string, threadTs: string | undefined) => string;
  /**
   * Milliseconds now, for ts values near the real time (what the page shows as a message's time).
   * Without it, ts values count up from a fixed instant, so a test's values do not depend on the clock.
   */
  clock?: () => number;
}

type Result = Record<string, unknown>;
const ok = (body: Result = {}): Result => ({ ok: true, ...body });
const error = (code: string): Result => ({ ok: false, error: code });
const list = (value: unknown): unknown[] | undefined => (Array.isArray(value) ? value : undefined);
const compact = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/**
 * Message metadata as Slack keeps it: `event_type` and an `event_payload` object, nothing else.
 * Undefined when none was given; null when it is not that shape (Slack: invalid_metadata_format).
 */
function messageMetadata(value: unknown): { event_type: string; event_payload: Record<string, unknown> } | null | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (!isObject(value) || typeof value.event_type !== 'string' || !value.event_type) return null;
  const payload = value.event_payload ?? {};
  if (!isObject(payload)) return null;
  return { event_type: value.event_type, event_payload: payload };
}

/** Channel and thread state behind the `chat.*` and `conversations.*` methods. */
export class SlackMessages {
  private readonly stored: SlackMessage[] = [];
  private readonly deleted = new Set<SlackMessage>();
  private readonly ephemeral: SlackEphemeral[] = [];
  private lastMicros = 1_732_170_000_000_000;

  constructor(private readonly id: MessageIdentity) {}

  postMessage(a: SlackArgs): Result {
    const channel = this.channel(a.channel);
    if (!channel) return error('channel_not_found');
    const text = str(a.text) ?? '';
    const blocks = list(a.blocks);
    const attachments = list(a.attachments);
    if (!text && !blocks && !attachments) return error('no_text');
    const reply_broadcast = flag(a.reply_broadcast) || undefined;
    const thread_ts = str(a.thread_ts);
    const metadata = messageMetadata(a.metadata);
    if (metadata === null) return error('invalid_metadata_format');
    const message = this.store({ channel, thread_ts, text, blocks, attachments, metadata, reply_broadcast });
    return ok({ channel, ts: message.ts, message: this.wire(message) });
  }

  /** What a person types: their message, not the app's (no bot_id, no app_id). */
  postAsUser(input: { channel: string; user: string; text: string; thread_ts?: string }): SlackMessage {
    const message = compact({ type: 'message' as const, ts: this.nextTs(), team: this.id.teamId, ...input });
    this.stored.push(message);
    return structuredClone(message);
  }

  update(a: SlackArgs): Result {
    return this.withMessage(a, 'ts', (m) => {
      const blocks = list(a.blocks);
      const attachments = list(a.attachments);
      if (a.text === undefined && !blocks && !attachments) return error('no_text');
      if (a.text !== undefined) m.text = str(a.text) ?? '';
      if (blocks) m.blocks = blocks;
      if (attachments) m.attachments = attachments;
      const metadata = messageMetadata(a.metadata);
      if (metadata === null) return error('invalid_metadata_format');
      if (metadata !== undefined) m.metadata = metadata;
      m.edited = { user: this.id.botUserId, ts: this.nextTs() };
      return ok({ channel: m.channel, ts: m.ts, text: m.text, message: this.wire(m) });
    });
  }

  delete(a: SlackArgs): Result {
    return this.withMessage(a, 'ts', (m) => {
      this.deleted.add(m);
      return ok({ channel: m.channel, ts: m.ts });
    });
  }

  /** Slack's format (the workspace decides the host); a reply's link carries its thread. */
  getPermalink(a: SlackArgs): Result {
    return this.withMessage(a, 'message_ts', (m) => {
      const inThread = m.thread_ts && m.thread_ts !== m.ts ? m.thread_ts : undefined;
      return ok({ channel: m.channel, permalink: this.id.permalink(m.channel, m.ts, inThread) });
    });
  }

  postEphemeral(a: SlackArgs): Result {
    const channel = this.channel(a.channel);
    const user = str(a.user);
    if (!channel) return error('channel_not_found');
    if (!user) return error('user_not_in_channel');
    const text = str(a.text) ?? '';
    const blocks = list(a.blocks);
    if (!text && !blocks && !list(a.attachments)) return error('no_text');
    return ok({ message_ts: this.addEphemeral({ channel, user, text, blocks, thread_ts: str(a.thread_ts) }) });
  }

  /** An ephemeral from the app (a command's ack, a response_url answer); returns its ts. */
  addEphemeral(input: Omit<SlackEphemeral, 'message_ts'>): string {
    const message_ts = this.nextTs();
    this.ephemeral.push(compact({ ...input, message_ts }));
    return message_ts;
  }

  /** `replace_original` on an ephemeral: it changes where it is, as Slack shows it. */
  replaceEphemeral(messageTs: string, content: { text: string; blocks?: unknown[] }): boolean {
    const found = this.ephemeral.find((e) => e.message_ts === messageTs);
    if (!found) return false;
    found.text = content.text;
    if (content.blocks) found.blocks = content.blocks;
    else delete found.blocks;
    return true;
  }

  deleteEphemeral(messageTs: string): boolean {
    const index = this.ephemeral.findIndex((e) => e.message_ts === messageTs);
    if (index === -1) return false;
    this.ephemeral.splice(index, 1);
    return true;
  }

  /** `ts` may name the parent or any reply; the whole thread comes back, parent first. */
  replies(a: SlackArgs): Result {
    const channel = this.channel(a.channel);
    if (!channel) return error('channel_not_found');
    const anchor = this.find(channel, a.ts);
    if (!anchor) return error('thread_not_found');
    const root = anchor.thread_ts ?? anchor.ts;
    const thread = this.live().filter((m) => m.channel === anchor.channel && (m.ts === root || m.thread_ts === root));
    return this.page(thread, a, 1000);
  }

  /** Top-level messages (and broadcast replies), newest first, as Slack lists a channel. */
  history(a: SlackArgs): Result {
    const channel = this.channel(a.channel);
    if (!channel) return error('channel_not_found');
    const inclusive = flag(a.inclusive);
    const oldest = str(a.oldest);
    const latest = str(a.latest);
    // Equal-width ts strings compare correctly as text, and this store only mints equal-width ones.
    const inRange = (ts: string): boolean =>
      (oldest === undefined || ts > oldest || (inclusive && ts === oldest)) &&
      (latest === undefined || ts < latest || (inclusive && ts === latest));
    const visible = this.live()
      .filter((m) => m.channel === channel && (!m.thread_ts || m.thread_ts === m.ts || m.reply_broadcast))
      .filter((m) => inRange(m.ts))
      .reverse();
    const page = this.page(visible, a, 100);
    return page.ok ? { ...page, pin_count: 0 } : page;
  }

  /** The message Slack posts when an upload is completed into a channel or thread. */
  shareFiles(channel: string, thread_ts: string | undefined, text: string, files: Record<string, unknown>[]): void {
    this.store({ channel, thread_ts, text, files });
  }

  live(): SlackMessage[] {
    return this.stored.filter((m) => !this.deleted.has(m));
  }

  /** A live message, as stored (channel included), or undefined. */
  message(channel: string, ts: string): SlackMessage | undefined {
    const found = this.find(channel, ts);
    return found && structuredClone(found);
  }

  /** A stored message as Slack returns it: no `channel` field, a thread summary on parents. */
  wire(m: SlackMessage): Result {
    const { channel, ...rest } = m;
    const replies = this.live().filter((r) => r.channel === channel && r.thread_ts === m.ts && r.ts !== m.ts);
    const last = replies.at(-1);
    if (!last) return structuredClone(rest);
    const reply_users = [...new Set(replies.map((r) => r.user))];
    const summary = {
      reply_count: replies.length,
      reply_users_count: reply_users.length,
      latest_reply: last.ts,
      reply_users,
    };
    return structuredClone({ ...rest, thread_ts: m.ts, ...summary });
  }

  ephemerals(): SlackEphemeral[] {
    return structuredClone(this.ephemeral);
  }

  clear(): void {
    this.stored.length = 0;
    this.deleted.clear();
    this.ephemeral.length = 0;
  }

  private channel(value: unknown): string | undefined {
    const given = str(value);
    return given === undefined ? undefined : this.id.channelId(given);
  }

  /** Cursor pagination the way Slack reports it: `has_more` plus an opaque `next_cursor`. */
  private page(items: SlackMessage[], a: SlackArgs, defaultLimit: number): Result {
    const limit = Number(a.limit) || defaultLimit;
    const decoded = a.cursor ? Buffer.from(String(a.cursor), 'base64').toString('utf8') : 'offset:0';
    const start = decoded.startsWith('offset:') ? Number(decoded.slice('offset:'.length)) : NaN;
    if (!Number.isInteger(start) || start < 0) return error('invalid_cursor');
    const hasMore = start + limit < items.length;
    const next_cursor = hasMore ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
    // Slack lists message metadata only when asked (include_all_metadata).
    const withMetadata = flag(a.include_all_metadata);
    const messages = items.slice(start, start + limit).map((m) => {
      const wire = this.wire(m);
      if (!withMetadata) delete wire.metadata;
      return wire;
    });
    return ok({ messages, has_more: hasMore, response_metadata: { next_cursor } });
  }

  private withMessage(a: SlackArgs, tsField: string, act: (m: SlackMessage) => Result): Result {
    const channel = this.channel(a.channel);
    if (!channel) return error('channel_not_found');
    const message = this.find(channel, a[tsField]);
    return message ? act(message) : error('message_not_found');
  }

  private store(fields: Partial<SlackMessage> & Pick<SlackMessage, 'channel' | 'text'>): SlackMessage {
    const message = compact({
      type: 'message' as const,
      ts: this.nextTs(),
      user: this.id.botUserId,
      bot_id: this.id.botId,
      app_id: this.id.appId,
      team: this.id.teamId,
      ...fields,
    });
    this.stored.push(message);
    return message;
  }

  private find(channel: string | undefined, ts: unknown): SlackMessage | undefined {
    return this.live().find((m) => m.channel === channel && m.ts === ts);
  }

  /** Unique, increasing and shaped like Slack's: seconds, a dot, six digits. */
  private nextTs(): string {
    const micros = Math.max(this.lastMicros + 100, Math.floor((this.id.clock?.() ?? 0) * 1000));
    this.lastMicros = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }
}
