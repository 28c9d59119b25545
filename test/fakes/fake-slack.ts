import { uploadedBytes } from '../../src/local/slack-emulator/slack-args.ts';
import type { SlackUpload } from '../../src/local/slack-emulator/slack-files.ts';
import type { SlackEphemeral, SlackMessage } from '../../src/local/slack-emulator/slack-messages.ts';
import type { SlackUserSeed } from '../../src/local/slack-emulator/slack-user.ts';
import { SlackWorkspace } from '../../src/local/slack-emulator/slack-workspace.ts';
import { FakeServer, type FakeRequest, type FakeResponse, type RecordedCall } from './fake-server.ts';
import { slackArgs, slackToken, toSlackCall, type SlackCall } from './slack-call.ts';
import { SLACK_DEFAULTS } from './slack-defaults.ts';

/** What a test seeds; everything else in Slack's user object is derived. */
export type FakeSlackUser = SlackUserSeed;
export type { SlackCall, SlackEphemeral, SlackMessage, SlackUpload };

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
  /**
   * Milliseconds now, to mint ts values near the real time (a test reading history by time needs
   * them); by default they count up from a fixed instant.
   */
  clock?: () => number;
}

export interface SlackResponsePost {
  id: string;
  body: unknown;
  at: number;
}

/**
 * The Slack Web API for the real WebClient and Bolt in tests (`slackApiUrl: fake.apiUrl`). The
 * workspace itself (method table, messages, views, files, users) is the local-mode emulator's
 * SlackWorkspace, so the fake and the emulator answer in one set of shapes. What this adds is for
 * tests only: every call recorded, faults from FakeServer (`fail`, `latency`, `failMethod`),
 * response URLs that only record, and accessors (`repliesTo`, `ephemerals`, `openViews`, `uploads`…).
 */
export class FakeSlack extends FakeServer {
  readonly botToken: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  private readonly workspace: SlackWorkspace;

  constructor(options: FakeSlackOptions = {}) {
    super('slack');
    this.botToken = options.botToken ?? SLACK_DEFAULTS.botToken;
    this.teamId = options.teamId ?? SLACK_DEFAULTS.teamId;
    this.botUserId = options.botUserId ?? SLACK_DEFAULTS.botUserId;
    this.botId = options.botId ?? SLACK_DEFAULTS.botId;
    const domain = SLACK_DEFAULTS.teamDomain;
    const host = `https://${domain}.slack.com`;
    this.workspace = new SlackWorkspace({
      botToken: this.botToken,
      ...(options.tokens ? { tokens: options.tokens } : {}),
      team: { id: this.teamId, name: SLACK_DEFAULTS.teamName, domain },
      appId: SLACK_DEFAULTS.appId,
      bot: { userId: this.botUserId, botId: this.botId, name: SLACK_DEFAULTS.botUserName },
      users: options.users ?? [],
      ...(options.channels ? { channels: options.channels.map((id) => ({ id, name: id })) } : {}),
      usergroups: options.usergroups ?? {},
      ...(options.clock ? { clock: options.clock } : {}),
      idPrefix: '0FAKE',
      // Tests make their own trigger_ids (test/support/slack-interactions.ts); any one opens a modal.
      triggers: 'any',
      urls: {
        workspace: `${host}/`,
        message: (channel, ts, threadTs) => {
          const base = `${host}/archives/${channel}/p${ts.replace('.', '')}`;
          return threadTs ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
        },
        // The URL is known once the server listens, which is before any upload is asked for.
        upload: (fileId) => `${this.url}/upload/v1/${fileId}`,
        file: (fileId, name) => `https://files.slack.com/files-pri/${this.teamId}-${fileId}/${encodeURIComponent(name)}`,
        permalink: (fileId, name) => `${host}/files/${this.botUserId}/${fileId}/${encodeURIComponent(name)}`,
      },
    });
    this.route('*', '/api/:method', (req) => this.api(req));
    this.route('POST', '/upload/v1/:fileId', (req) => this.receiveUpload(req));
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
    this.workspace.addUser(user);
    return this;
  }

  /**
   * Creates or replaces a user group (S… id) with these members, as `usergroups.users.list`
   * answers it. Like seeded users, groups outlive `reset`.
   */
  setUsergroup(id: string, members: string[]): this {
    this.workspace.setUsergroup(id, members);
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
    return structuredClone(this.workspace.chat.live().filter((m) => channel === undefined || m.channel === channel));
  }

  threadRoots(channel: string): SlackMessage[] {
    return this.messages(channel).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
  }

  repliesTo(threadTs: string): SlackMessage[] {
    return this.messages().filter((m) => m.thread_ts === threadTs && m.ts !== threadTs);
  }

  /** Ephemeral messages as posted, oldest first; with `user`, only those that user was shown. */
  ephemerals(user?: string): SlackEphemeral[] {
    return this.workspace.chat.ephemerals().filter((e) => user === undefined || e.user === user);
  }

  /** POSTs to response URLs that were answered (an injected failure is not a delivered response). */
  responses(id?: string): SlackResponsePost[] {
    return this.callsTo('POST', /^\/response\//)
      .filter((c) => c.status < 400)
      .map((c) => ({ id: decodeURIComponent(c.path.slice('/response/'.length)), body: c.body, at: c.at }))
      .filter((r) => id === undefined || r.id === id);
  }

  uploads(): SlackUpload[] {
    return this.workspace.files.list();
  }

  /** Modals as last opened or updated. */
  openViews(): Record<string, unknown>[] {
    return this.workspace.views.list();
  }

  /** Clears traffic and workspace state; seeded users and tokens stay, and `ts` keeps increasing. */
  override reset(): void {
    super.reset();
    this.workspace.clear();
  }

  private api(req: FakeRequest): FakeResponse {
    return { body: this.workspace.call(req.params.method ?? '', slackArgs(req), slackToken(req)) };
  }

  /** The upload URL is pre-signed on Slack, so it takes no token; it answers in plain text. */
  private async receiveUpload(req: FakeRequest): Promise<FakeResponse> {
    const data = await uploadedBytes(req.rawBody, req.headers['content-type']);
    if (!this.workspace.files.receive(req.params.fileId ?? '', data)) {
      return { status: 404, raw: 'Not Found', headers: { 'content-type': 'text/plain' } };
    }
    return { status: 200, raw: `OK - ${data.length}`, headers: { 'content-type': 'text/plain' } };
  }
}

function isApiCall(call: RecordedCall, method?: string): boolean {
  return method === undefined ? call.path.startsWith('/api/') : call.path === `/api/${method}`;
}
