import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ChangeStream } from './change-stream.ts';
import { deliverToBaton } from './deliver-to-baton.ts';
import type { EmulatorContext, PageAnswer } from './emulator-context.ts';
import { BodyTooLarge, readBody, sendJson, type Handler } from './http-io.ts';
import { personClicks } from './person-clicks.ts';
import { personOpensHome } from './person-opens-home.ts';
import { personClosesView, personSubmitsView } from './person-submits-view.ts';
import { personTypes } from './person-types.ts';
import { ResponseUrls } from './response-urls.ts';
import { isObject } from './slack-args.ts';
import { slackState } from './slack-state.ts';
import { serveFile, serveUpload, serveWebApi } from './serve-slack-files.ts';
import { SlackWorkspace } from './slack-workspace.ts';

export type { Handler };

export interface SlackEmulatorOptions {
  botToken: string;
  signingSecret: string;
  /**
   * Baton's own Slack request URL (…/slack/events): where what people do is delivered, signed. Read
   * from this object at each delivery, so it may be set once Baton's server listens.
   */
  batonEventsUrl: string;
  /** The emulator's own http://127.0.0.1:port, for response_url, permalinks and file URLs. */
  baseUrl: string;
  team: { id: string; name: string };
  bot: { userId: string; botId: string; name: string };
  users: { id: string; name: string; real_name: string }[];
  channels: { id: string; name: string }[];
  usergroups?: Record<string, string[]>;
}

export interface SlackEmulator {
  /** Serves `/api/…`, `/upload/…`, `/files/…` and `/_/slack/…`; false for anything else. */
  handle: Handler;
  /** What the page shows `user` (the body of GET /_/slack/state). */
  state(user: string): Record<string, unknown>;
  /** Ends the page streams and any delivery in flight. */
  close(): void;
}

// The page's own requests are small JSON; response_url posts carry one message.
const PAGE_BODY_LIMIT = 1024 * 1024;

type PersonAction = (ctx: EmulatorContext, body: Record<string, unknown>) => Promise<PageAnswer>;
const PERSON_ACTIONS: Record<string, PersonAction> = {
  '/_/slack/command': personTypes,
  '/_/slack/action': personClicks,
  '/_/slack/view_submit': personSubmitsView,
  '/_/slack/view_close': personClosesView,
  '/_/slack/home_opened': personOpensHome,
};

/**
 * A Slack workspace for local mode: the Web API subset Baton calls, and the people's side (the page)
 * delivered to Baton's real /slack/events as correctly signed requests, so Baton runs unmodified.
 * Everything is held in memory and gone when the process ends: local mode is for trying Baton,
 * and a real workspace is one configuration change away. It binds nothing: the local server mounts `handle`.
 */
export function createSlackEmulator(options: SlackEmulatorOptions): SlackEmulator {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const domain = options.team.name.toLowerCase().replace(/[^a-z0-9-]/g, '') || 'local';
  const appId = `A${options.team.id.replace(/^T/, '')}APP`;
  const workspace = new SlackWorkspace({
    botToken: options.botToken,
    team: { ...options.team, domain },
    appId,
    bot: options.bot,
    users: options.users,
    channels: options.channels,
    usergroups: options.usergroups ?? {},
    idPrefix: '0LOCAL',
    triggers: 'issued',
    clock: Date.now,
    urls: {
      workspace: `${baseUrl}/`,
      // The page is served at `/`; it reads which message to show from the query.
      message: (channel, ts, threadTs) => `${baseUrl}/?${new URLSearchParams({ channel, ts, ...(threadTs ? { thread_ts: threadTs } : {}) })}`,
      upload: (fileId) => `${baseUrl}/upload/v1/${fileId}`,
      file: (fileId) => `${baseUrl}/files/${fileId}`,
      permalink: (fileId) => `${baseUrl}/files/${fileId}`,
    },
  });
  const stream = new ChangeStream();
  const inFlight = new AbortController();
  let version = 0;
  workspace.onChange(() => stream.changed((version += 1)));
  const responses = new ResponseUrls(workspace, `${baseUrl}/_/slack/response`);
  const people = new Map(options.users.map((u) => [u.id, { id: u.id, name: u.name }]));
  const ctx: EmulatorContext = {
    workspace,
    responses,
    identity: { team: { id: options.team.id, domain }, appId, botUserId: options.bot.userId, verificationToken: randomBytes(12).toString('hex') },
    team: options.team,
    bot: options.bot,
    channels: options.channels.map((c) => ({ ...c })),
    person: (id) => (typeof id === 'string' ? people.get(id) : undefined),
    channel: (id) => options.channels.find((c) => c.id === id),
    deliver: (kind, body) => deliverToBaton({ url: options.batonEventsUrl, signingSecret: options.signingSecret, kind, body, signal: inFlight.signal }),
    version: () => version,
  };

  const page = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    if (path === '/_/slack/state') {
      if (req.method !== 'GET') return sendJson(res, 405, { ok: false, error: 'method_not_allowed' }, { allow: 'GET' });
      const user = url.searchParams.get('user') ?? '';
      if (!ctx.person(user)) return sendJson(res, 400, { ok: false, error: 'user_not_found' });
      return sendJson(res, 200, slackState(ctx, user));
    }
    if (path === '/_/slack/events') {
      if (req.method !== 'GET') return sendJson(res, 405, { ok: false, error: 'method_not_allowed' }, { allow: 'GET' });
      return stream.open(res, version);
    }
    const act = Object.hasOwn(PERSON_ACTIONS, path) ? PERSON_ACTIONS[path] : undefined;
    const responseId = path.startsWith('/_/slack/response/') ? path.slice('/_/slack/response/'.length) : undefined;
    if (!act && responseId === undefined) return sendJson(res, 404, { ok: false, error: 'not_found' });
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: 'method_not_allowed' }, { allow: 'POST' });
    const body = await readJsonObject(req);
    if ('error' in body) return sendJson(res, body.status, { ok: false, error: body.error });
    const answer = responseId !== undefined ? responses.post(responseId, body.value) : await act!(ctx, body.value);
    sendJson(res, answer.status, answer.body);
  };

  const handle: Handler = async (req, res, url) => {
    const path = url.pathname;
    if (path.startsWith('/api/')) await serveWebApi(workspace, req, res, url);
    else if (path.startsWith('/upload/v1/')) await serveUpload(workspace, req, res, url);
    else if (path.startsWith('/files/')) serveFile(workspace, req, res, url);
    else if (path.startsWith('/_/slack/')) await page(req, res, url);
    else return false;
    return true;
  };

  return {
    handle,
    state: (user) => slackState(ctx, user),
    close() {
      inFlight.abort();
      stream.close();
    },
  };
}

type JsonBody = { value: Record<string, unknown> } | { status: number; error: string };

/** The page's JSON body: an object, at most 1 MiB; anything else is the page's mistake (4xx). */
async function readJsonObject(req: IncomingMessage): Promise<JsonBody> {
  let raw: Buffer;
  try {
    raw = await readBody(req, PAGE_BODY_LIMIT);
  } catch (error) {
    if (error instanceof BodyTooLarge) return { status: 413, error: 'request_too_large' };
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return { status: 400, error: 'invalid_json' };
  }
  return isObject(value) ? { value } : { status: 400, error: 'invalid_json' };
}
