import { FakeServer, type FakeRequest, type FakeResponse, type RecordedCall } from './fake-server.ts';
import { slackArgs, slackToken, str, toSlackCall, type SlackArgs, type SlackCall } from './slack-call.ts';
import { SLACK_DEFAULTS } from './slack-defaults.ts';
import { SlackFiles, type SlackUpload } from './slack-files.ts';
import { SlackMessages, type SlackEphemeral, type SlackMessage } from './slack-messages.ts';
import { slackUserObject, type FakeSlackUser } from './slack-user.ts';
import { SlackViews } from './slack-views.ts';

export type { FakeSlackUser, SlackCall, SlackEphemeral, SlackMessage, SlackUpload };

export interface FakeSlackOptions {
  /** The bot token calls must carry; any other token is `invalid_auth`. */
  botToken?: string;
  /** More tokens to accept (a user token, a second installation). */
  tokens?: string[];
  teamId?: string;
  botUserId?: string;
  botId?: string;
  users?: FakeSlackUser[];
  /** When given, other channel IDs answer `channel_not_found`; by default every channel exists. */
  channels?: string[];
  /** User groups: S… id → member user ids (more with `setUsergroup`). */
  usergroups?: Record<string, string[]>;
}

export interface SlackResponsePost {
  id: string;
  body: unknown;
  at: number;
}

type Result = Record<string, unknown>;

/**
 * A local Slack Web API for the real WebClient and Bolt (`slackApiUrl: fake.apiUrl`). It answers in
 * Slack's shapes: errors are HTTP 200 with `ok:false`, because that is what client code must handle.
 * Faults (429 + Retry-After, 5xx, latency) come from FakeServer: `fail`, `latency`, or `failMethod`.
 */
export class FakeSlack extends FakeServer {
  readonly botToken: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  private readonly tokens: Set<string>;
  private readonly users = new Map<string, FakeSlackUser>();
  private readonly usergroups = new Map<string, string[]>();
  private readonly chat: SlackMessages;
  private readonly views: SlackViews;
  private readonly files: SlackFiles;
  private readonly handlers: Record<string, (args: SlackArgs) => Result> = {
    'auth.test': () => this.authTest(),
    'chat.postMessage': (a) => this.chat.postMessage(a),
    'chat.update': (a) => this.chat.update(a),
    'chat.delete': (a) => this.chat.delete(a),
    'chat.postEphemeral': (a) => this.chat.postEphemeral(a),
    'chat.getPermalink': (a) => this.chat.getPermalink(a),
    'views.open': (a) => this.views.open(a),
    'views.update': (a) => this.views.update(a),
    'users.info': (a) => this.usersInfo(a),
    'usergroups.users.list': (a) => this.usergroupUsers(a),
    'conversations.replies': (a) => this.chat.replies(a),
    'conversations.history': (a) => this.chat.history(a),
    'files.getUploadURLExternal': (a) => this.files.getUploadURL(a, `${this.url}/upload/v1`),
    'files.completeUploadExternal': (a) => this.completeUpload(a),
  };

  constructor(private readonly options: FakeSlackOptions = {}) {
    super('slack');
    this.botToken = options.botToken ?? SLACK_DEFAULTS.botToken;
    this.teamId = options.teamId ?? SLACK_DEFAULTS.teamId;
    this.botUserId = options.botUserId ?? SLACK_DEFAULTS.botUserId;
    this.botId = options.botId ?? SLACK_DEFAULTS.botId;
    this.tokens = new Set([this.botToken, ...(options.tokens ?? [])]);
    const ids = { teamId: this.teamId, appId: SLACK_DEFAULTS.appId, botId: this.botId, botUserId: this.botUserId };
    const channelExists = (channel: string): boolean => this.channelExists(channel);
    this.chat = new SlackMessages({ ...ids, teamDomain: SLACK_DEFAULTS.teamDomain, channelExists });
    this.views = new SlackViews(ids);
    this.files = new SlackFiles({ teamId: this.teamId, userId: this.botUserId });
    this.addUser({ id: this.botUserId, name: SLACK_DEFAULTS.botUserName, is_bot: true });
    for (const user of options.users ?? []) this.addUser(user);
    for (const [id, members] of Object.entries(options.usergroups ?? {})) this.setUsergroup(id, members);
    this.route('*', '/api/:method', (req) => this.api(req));
    this.route('POST', '/upload/v1/:fileId', (req) => this.files.receive(req));
    this.route('POST', '/response/:id', () => ({ body: { ok: true } }));
  }

  /** What to pass as the WebClient's `slackApiUrl` (Bolt: `clientOptions.slackApiUrl`). */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A response_url on the fake; what is POSTed there shows up in `responses(id)`. */
  responseUrl(id: string): string {
    return `${this.url}/response/${encodeURIComponent(id)}`;
  }

  addUser(user: FakeSlackUser): this {
    this.users.set(user.id, user);
    return this;
  }

  /**
   * Creates or replaces a user group (S… id) with these members, as `usergroups.users.list`
   * answers it. Like seeded users, groups outlive `reset`.
   */
  setUsergroup(id: string, members: string[]): this {
    this.usergroups.set(id, [...members]);
    return this;
  }

  /** Answer the next `times` calls to `method` with a Slack error (HTTP 200, `ok:false`). */
  failMethod(method: string, code: string, times = 1): this {
    const match = (req: FakeRequest): boolean => req.path === `/api/${method}`;
    return this.fail({ status: 200, body: { ok: false, error: code }, times, match });
  }

  /** Web API calls with the token each one carried, optionally for one method. */
  apiCalls(method?: string): SlackCall[] {
    return this.calls.filter((c) => isApiCall(c, method)).map(toSlackCall);
  }

  async waitForMethod(method: string, timeoutMs?: number): Promise<SlackCall> {
    return toSlackCall(await this.waitForCall((c) => isApiCall(c, method), timeoutMs));
  }

  /** Live (not deleted) messages, oldest first; completed uploads appear as Slack shows them. */
  messages(channel?: string): SlackMessage[] {
    return structuredClone(this.chat.live().filter((m) => channel === undefined || m.channel === channel));
  }

  threadRoots(channel: string): SlackMessage[] {
    return this.messages(channel).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
  }

  repliesTo(threadTs: string): SlackMessage[] {
    return this.messages().filter((m) => m.thread_ts === threadTs && m.ts !== threadTs);
  }

  /** Ephemeral messages as posted, oldest first; with `user`, only those that user was shown. */
  ephemerals(user?: string): SlackEphemeral[] {
    return this.chat.ephemerals().filter((e) => user === undefined || e.user === user);
  }

  /** POSTs to response URLs that were answered (an injected failure is not a delivered response). */
  responses(id?: string): SlackResponsePost[] {
    return this.callsTo('POST', /^\/response\//)
      .filter((c) => c.status < 400)
      .map((c) => ({ id: decodeURIComponent(c.path.slice('/response/'.length)), body: c.body, at: c.at }))
      .filter((r) => id === undefined || r.id === id);
  }

  uploads(): SlackUpload[] {
    return this.files.list();
  }

  /** Modals as last opened or updated. */
  openViews(): Record<string, unknown>[] {
    return this.views.list();
  }

  /** Clears traffic and workspace state; seeded users and tokens stay, and `ts` keeps increasing. */
  override reset(): void {
    super.reset();
    this.chat.clear();
    this.views.clear();
    this.files.clear();
  }

  private api(req: FakeRequest): FakeResponse {
    const method = req.params.method ?? '';
    const handler = Object.hasOwn(this.handlers, method) ? this.handlers[method] : undefined;
    if (!handler) return { body: { ok: false, error: 'unknown_method', req_method: method } };
    const token = slackToken(req);
    // Slack tells "no token" (`not_authed`) apart from "bad token" (`invalid_auth`).
    if (token === undefined) return { body: { ok: false, error: 'not_authed' } };
    if (!this.tokens.has(token)) return { body: { ok: false, error: 'invalid_auth' } };
    return { body: handler(slackArgs(req)) };
  }

  private authTest(): Result {
    return {
      ok: true,
      url: `https://${SLACK_DEFAULTS.teamDomain}.slack.com/`,
      team: SLACK_DEFAULTS.teamName,
      user: SLACK_DEFAULTS.botUserName,
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    };
  }

  private usersInfo(a: SlackArgs): Result {
    const seed = this.users.get(str(a.user) ?? '');
    return seed ? { ok: true, user: slackUserObject(seed, this.teamId) } : { ok: false, error: 'user_not_found' };
  }

  private usergroupUsers(a: SlackArgs): Result {
    const id = str(a.usergroup);
    if (!id) return { ok: false, error: 'invalid_arguments' };
    const members = this.usergroups.get(id);
    return members ? { ok: true, users: [...members] } : { ok: false, error: 'no_such_subteam' };
  }

  private completeUpload(a: SlackArgs): Result {
    const channel = str(a.channel_id);
    if (channel && !this.channelExists(channel)) return { ok: false, error: 'channel_not_found' };
    const result = this.files.complete(a);
    if (result.ok && channel) {
      const files = result.files as Record<string, unknown>[];
      this.chat.shareFiles(channel, str(a.thread_ts), str(a.initial_comment) ?? '', files);
    }
    return result;
  }

  private channelExists(channel: string): boolean {
    return !this.options.channels || this.options.channels.includes(channel);
  }
}

function isApiCall(call: RecordedCall, method?: string): boolean {
  return method === undefined ? call.path.startsWith('/api/') : call.path === `/api/${method}`;
}
