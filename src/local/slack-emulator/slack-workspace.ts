import { randomBytes } from 'node:crypto';
import { str, type SlackArgs } from './slack-args.ts';
import { SlackFiles, type FileUrls } from './slack-files.ts';
import { SlackMessages } from './slack-messages.ts';
import { slackUserObject, type SlackUserSeed } from './slack-user.ts';
import { SlackViews } from './slack-views.ts';

type Result = Record<string, unknown>;

export interface SlackWorkspaceOptions {
  /** The bot token calls must carry; any other token is `invalid_auth`. */
  botToken: string;
  /** More tokens to accept (a user token, a second installation). */
  tokens?: string[];
  team: { id: string; name: string; domain: string };
  appId: string;
  bot: { userId: string; botId: string; name: string };
  users?: SlackUserSeed[];
  /** When given, only these channels exist (by id, or by `#name`); by default every channel does. */
  channels?: { id: string; name: string }[];
  /** User groups: S… id → member user ids. */
  usergroups?: Record<string, string[]>;
  urls: FileUrls & { message: (channel: string, ts: string, threadTs: string | undefined) => string; workspace: string };
  /** Id prefixes (`V0FAKE`, `F0FAKE`…), so ids say which workspace made them. */
  idPrefix: string;
  /**
   * `issued`: views.open and views.push take only a trigger this workspace handed out (`issueTrigger`),
   * once and within its lifetime, as Slack does. `any` (a test fake's choice): every trigger works.
   */
  triggers: 'issued' | 'any';
  /** Milliseconds now; given, message ts values follow the clock (see SlackMessages). */
  clock?: () => number;
}

interface Trigger {
  user: string;
  expiresAt: number;
  used: boolean;
}

/**
 * Slack's trigger_id lives 3 s. The emulator gives 30: a laptop running Baton, the database and a
 * browser at once can be slower than Slack's budget, and local mode is for trying Baton, not for
 * catching a slow listener (the bench measures that).
 */
const TRIGGER_LIFETIME_MS = 30_000;

/** Methods that change what a workspace shows; a successful call to one is a change. */
const CHANGES = new Set([
  'chat.postMessage', 'chat.update', 'chat.delete', 'chat.postEphemeral', 'views.open', 'views.push', 'views.update',
  'views.publish', 'files.completeUploadExternal', 'assistant.threads.setStatus',
]);

/**
 * One Slack workspace: the Web API method table and the state behind it (messages, views, files,
 * users, groups). The local emulator serves it over HTTP for Baton; the test fake (test/fakes/fake-slack.ts)
 * wraps the same object, so both answer in the same shapes. Errors are `ok:false` results (HTTP 200
 * on Slack), because that is what client code must handle.
 */
export class SlackWorkspace {
  readonly chat: SlackMessages;
  readonly views: SlackViews;
  readonly files: SlackFiles;
  private readonly tokens: Set<string>;
  private readonly users = new Map<string, SlackUserSeed>();
  private readonly usergroups = new Map<string, string[]>();
  private readonly triggers = new Map<string, Trigger>();
  private readonly statuses = new Map<string, { channel: string; thread_ts: string; status: string }>();
  private readonly listeners = new Set<() => void>();
  private readonly handlers: Record<string, (args: SlackArgs) => Result> = {
    'auth.test': () => this.authTest(),
    'chat.postMessage': (a) => this.chat.postMessage(a),
    'chat.update': (a) => this.chat.update(a),
    'chat.delete': (a) => this.chat.delete(a),
    'chat.postEphemeral': (a) => this.chat.postEphemeral(a),
    'chat.getPermalink': (a) => this.chat.getPermalink(a),
    'views.open': (a) => this.withTrigger(a, (user) => this.views.open(a, user)),
    'views.push': (a) => this.withTrigger(a, (user) => this.views.push(a, user)),
    'views.update': (a) => this.views.update(a),
    'views.publish': (a) => this.publish(a),
    'users.info': (a) => this.usersInfo(a),
    'usergroups.users.list': (a) => this.usergroupUsers(a),
    'conversations.replies': (a) => this.chat.replies(a),
    'conversations.history': (a) => this.chat.history(a),
    'files.getUploadURLExternal': (a) => this.files.getUploadURL(a),
    'files.completeUploadExternal': (a) => this.completeUpload(a),
    'assistant.threads.setStatus': (a) => this.setStatus(a),
  };

  constructor(private readonly options: SlackWorkspaceOptions) {
    this.tokens = new Set([options.botToken, ...(options.tokens ?? [])]);
    const { team, bot, appId, urls } = options;
    this.chat = new SlackMessages({
      teamId: team.id,
      appId,
      botUserId: bot.userId,
      botId: bot.botId,
      channelId: (channel) => this.channelId(channel),
      permalink: urls.message,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.views = new SlackViews({ teamId: team.id, appId, botId: bot.botId, viewPrefix: `V${options.idPrefix}` });
    this.files = new SlackFiles({ teamId: team.id, userId: bot.userId, filePrefix: `F${options.idPrefix}`, urls });
    this.addUser({ id: bot.userId, name: bot.name, is_bot: true });
    for (const user of options.users ?? []) this.addUser(user);
    for (const [id, members] of Object.entries(options.usergroups ?? {})) this.setUsergroup(id, members);
  }

  /** Answers one Web API call as Slack would, given the token it carried. */
  call(method: string, args: SlackArgs, token: string | undefined): Result {
    const handler = Object.hasOwn(this.handlers, method) ? this.handlers[method] : undefined;
    if (!handler) return { ok: false, error: 'unknown_method', req_method: method };
    // Slack tells "no token" (`not_authed`) apart from "bad token" (`invalid_auth`).
    if (token === undefined) return { ok: false, error: 'not_authed' };
    if (!this.tokens.has(token)) return { ok: false, error: 'invalid_auth' };
    const result = handler(args);
    if (result.ok === true && CHANGES.has(method)) this.changed();
    return result;
  }

  /** Called after every change to what the workspace shows. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  addUser(user: SlackUserSeed): this {
    this.users.set(user.id, user);
    return this;
  }

  userSeeds(): SlackUserSeed[] {
    return [...this.users.values()].map((u) => ({ ...u }));
  }

  /** Creates or replaces a user group (S… id) with these members, as `usergroups.users.list` answers it. */
  setUsergroup(id: string, members: string[]): this {
    this.usergroups.set(id, [...members]);
    return this;
  }

  /** A trigger_id for something `user` just did, as Slack sends with each interaction. */
  issueTrigger(user: string): string {
    const id = `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { user, expiresAt: Date.now() + TRIGGER_LIFETIME_MS, used: false });
    for (const [key, trigger] of this.triggers) if (trigger.expiresAt < Date.now()) this.triggers.delete(key);
    return id;
  }

  /** The channel's id when it exists (`C…`, `#name` or `name`), else undefined. */
  channelId(channel: string): string | undefined {
    const known = this.options.channels;
    if (!known) return channel;
    const name = channel.replace(/^#/, '');
    return known.find((c) => c.id === channel || c.name === name)?.id;
  }

  /** Assistant thread statuses set and not yet cleared (an empty status clears one). */
  threadStatuses(): { channel: string; thread_ts: string; status: string }[] {
    return [...this.statuses.values()].map((s) => ({ ...s }));
  }

  /** Clears messages, views, files and statuses; users, groups, tokens stay, and `ts` keeps increasing. */
  clear(): void {
    this.chat.clear();
    this.views.clear();
    this.files.clear();
    this.statuses.clear();
    this.triggers.clear();
  }

  private withTrigger(a: SlackArgs, act: (user: string | undefined) => Result): Result {
    if (this.options.triggers === 'any') return act(undefined);
    const id = str(a.trigger_id) ?? str(a.interactivity_pointer);
    if (!id) return { ok: false, error: 'invalid_arguments' };
    const trigger = this.triggers.get(id);
    if (!trigger || trigger.expiresAt < Date.now()) return { ok: false, error: 'expired_trigger_id' };
    if (trigger.used) return { ok: false, error: 'exchanged_trigger_id' };
    const result = act(trigger.user);
    if (result.ok === true) trigger.used = true;
    return result;
  }

  private authTest(): Result {
    const { team, bot } = this.options;
    return {
      ok: true,
      url: this.options.urls.workspace,
      team: team.name,
      user: bot.name,
      team_id: team.id,
      user_id: bot.userId,
      bot_id: bot.botId,
      is_enterprise_install: false,
    };
  }

  private publish(a: SlackArgs): Result {
    const user = str(a.user_id);
    if (user && !this.users.has(user)) return { ok: false, error: 'user_not_found' };
    return this.views.publish(a);
  }

  private usersInfo(a: SlackArgs): Result {
    const seed = this.users.get(str(a.user) ?? '');
    const team = { id: this.options.team.id, domain: this.options.team.domain };
    return seed ? { ok: true, user: slackUserObject(seed, team) } : { ok: false, error: 'user_not_found' };
  }

  private usergroupUsers(a: SlackArgs): Result {
    const id = str(a.usergroup);
    if (!id) return { ok: false, error: 'invalid_arguments' };
    const members = this.usergroups.get(id);
    return members ? { ok: true, users: [...members] } : { ok: false, error: 'no_such_subteam' };
  }

  private completeUpload(a: SlackArgs): Result {
    const given = str(a.channel_id);
    const channel = given === undefined ? undefined : this.channelId(given);
    if (given !== undefined && channel === undefined) return { ok: false, error: 'channel_not_found' };
    const result = this.files.complete(a);
    if (result.ok && channel) {
      const files = result.files as Record<string, unknown>[];
      this.chat.shareFiles(channel, str(a.thread_ts), str(a.initial_comment) ?? '', files);
    }
    return result;
  }

  /** `assistant.threads.setStatus`: the "is thinking…" line under a thread; an empty status clears it. */
  private setStatus(a: SlackArgs): Result {
    const given = str(a.channel_id);
    const thread_ts = str(a.thread_ts);
    if (!given || !thread_ts || typeof a.status !== 'string') return { ok: false, error: 'invalid_arguments' };
    const channel = this.channelId(given);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const key = `${channel}:${thread_ts}`;
    if (a.status === '') this.statuses.delete(key);
    else this.statuses.set(key, { channel, thread_ts, status: a.status });
    return { ok: true };
  }
}
