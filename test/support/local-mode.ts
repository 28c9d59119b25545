import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Anthropic from '@anthropic-ai/sdk';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { LOCAL_DEMO, localDemoRepoPath } from '../../src/local-demo-policy.ts';
import { createFailingTest, finish, fixBug, lastToolResults, runTests, viewCalc } from '../agents/coder-fixture.ts';
import { reviewersHandler } from '../agents/reviewers/review-script.ts';
import { FakeAnthropic, type RequestHandler, type RequestInfo, type ScriptedEntry, type ScriptedResponse } from '../fakes/fake-anthropic.ts';
import { isReviewerRequest } from './agent-world.ts';
import { eventually } from './eventually.ts';
import { startTestBaton, type TestBaton } from './start-test-baton.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/*
 * Baton in local mode, in-process, as `npm start` builds it with no Slack configured: the emulator,
 * the local tracker and the demo repository under a DATA_DIR of its own, the coder and reviewers on
 * the fake Anthropic server, real bubblewrap, real git and real PostgreSQL. The page is driven by
 * Debian's chromium through playwright-core.
 */

export const REQUESTER = LOCAL_DEMO.requester;
export const APPROVER = LOCAL_DEMO.approver;
export const CHANNEL = LOCAL_DEMO.channel.id;

/** Where screenshots go: the test output directory, gitignored. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/local-mode/', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Finishes only once the last test run Baton executed for the model passed (as agent-fix.test.ts scripts it). */
export const finishWhenGreen = (request: Anthropic.MessageCreateParams): ScriptedResponse => {
  const results = lastToolResults(request).join('\n');
  if (!/# fail 0/.test(results)) return { content: [{ type: 'text', text: `The tests still fail:\n${results.slice(0, 200)}` }] };
  return finish('range stopped one short of its end (`i < end`); it now includes it. test/range.test.js covers it.');
};

/** The whole fix, one step per turn of the coder's own conversation: any number of runs, each the same fix. */
export const CODER_STEPS: ScriptedEntry[] = [viewCalc, createFailingTest, runTests, fixBug, runTests, finishWhenGreen];
const coderByTurn: RequestHandler = (request: Anthropic.MessageCreateParams, info: RequestInfo) => {
  const step = CODER_STEPS[info.turn];
  if (step === undefined) return undefined;
  return typeof step === 'function' ? step(request, info) : step;
};

export interface SlackStateMessage {
  ts: string;
  channel: string;
  user?: string;
  bot_id?: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
}

export interface SlackState {
  ok: boolean;
  messages: SlackStateMessage[];
  ephemerals: { channel: string; ts: string; user: string; text: string; blocks?: unknown[]; thread_ts?: string }[];
  views: { id: string; view: Record<string, unknown> }[];
}

export interface LocalTicket {
  ticket: { key: string; state: string; title: string };
  comments: { author: string; body: string }[];
}

export interface LocalBaton {
  app: TestBaton;
  db: TestDatabase;
  /** The page's address (the emulator, /_/tickets, /_/pulls). */
  localUrl: string;
  dataDir: string;
  /** The demo repository on disk (local/demo-calc). */
  repoPath: string;
  anthropic: FakeAnthropic | undefined;
  /** GET /_/slack/state as `user` sees it. */
  state(user?: string): Promise<SlackState>;
  /** POST /_/slack/command: what `user` types into the channel's composer. */
  type(text: string, user?: string): Promise<{ status: number; json: Record<string, unknown> }>;
  /** GET /_/tickets/<key>. */
  ticket(key: string): Promise<LocalTicket>;
  /** The run of `ticketKey` once `where` (SQL on runs) holds. */
  runWhere(where: string, what: string, ticketKey?: string, timeoutMs?: number): Promise<{ id: string; status: string; thread_ts: string; branch: string | null }>;
  /**
   * `wait`, unless the ticket's run ends failed or cancelled first: then a rejection with its reason,
   * so a run that went wrong fails the test at once instead of at the browser's timeout.
   */
  unlessRunFails<T>(ticketKey: string, wait: Promise<T>): Promise<T>;
  /** `git -C <repoPath> <args>`, trimmed stdout. */
  git(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export interface LocalBatonOptions {
  /** Whether ANTHROPIC_* point at a fake Anthropic server; default true. Without, the agent is not configured. */
  model?: boolean;
  /** Laid over the environment last. */
  env?: Record<string, string>;
}

/**
 * Baton with LOCAL_MODE=on on free ports, DATA_DIR in a fresh temporary directory, no baton.yml
 * (so the demo policy: team DEMO on the local tracker, local/demo-calc on disk, the approver on the
 * gates), and, unless `model: false`, the fake Anthropic: the coder makes the calc fix turn by turn
 * and the three reviewers answer their sample reports (no veto).
 */
export async function startLocalBaton(options: LocalBatonOptions = {}): Promise<LocalBaton> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-local-'));
  const dataDir = join(dir, 'data');
  const db = await createTestDatabase();
  let anthropic: FakeAnthropic | undefined;
  if (options.model ?? true) {
    anthropic = new FakeAnthropic();
    await anthropic.start();
    const reviewers = reviewersHandler();
    anthropic.handle((request, info) => (isReviewerRequest(request) ? reviewers(request, info) : undefined));
    anthropic.handle(coderByTurn);
  }
  const cleanup = async (): Promise<void> => {
    await anthropic?.stop();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  };
  let app: TestBaton;
  try {
    app = await startTestBaton({
      db,
      env: {
        LOCAL_MODE: 'on',
        LOCAL_PORT: '0',
        DATA_DIR: dataDir,
        ...(anthropic ? { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: anthropic.url } : {}),
        ...options.env,
      },
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const localUrl = app.baton.localUrl;
  assert.ok(localUrl, 'local mode serves its page');
  const repoPath = localDemoRepoPath(dataDir);
  const json = async (path: string, init?: RequestInit): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(`${localUrl}${path}`, init);
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  return {
    app, db, localUrl, dataDir, repoPath, anthropic,
    state: async (user = REQUESTER.id) => (await json(`/_/slack/state?user=${user}`)).json as unknown as SlackState,
    type: (text, user = REQUESTER.id) =>
      json('/_/slack/command', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, channel: CHANNEL, text }) }),
    async ticket(key) {
      const { status, json: body } = await json(`/_/tickets/${key}`);
      assert.equal(status, 200, `GET /_/tickets/${key}: ${JSON.stringify(body)}`);
      return body as unknown as LocalTicket;
    },
    runWhere: (where, what, ticketKey = 'DEMO-1', timeoutMs = 90_000) =>
      eventually(async () => {
        const { rows } = await db.pool.query<{ id: string; status: string; thread_ts: string; branch: string | null }>(
          `SELECT * FROM runs WHERE ticket_key = $1 AND (${where})`, [ticketKey],
        );
        return rows[0];
      }, timeoutMs, what),
    async unlessRunFails(ticketKey, wait) {
      let settled = false;
      const failed = (async (): Promise<never> => {
        while (!settled) {
          const { rows } = await db.pool.query<{ status: string; status_reason: string | null }>(
            "SELECT status, status_reason FROM runs WHERE ticket_key = $1 AND status IN ('failed', 'cancelled') ORDER BY created_at DESC LIMIT 1", [ticketKey],
          );
          if (rows[0]) throw new Error(`${ticketKey}'s run ended ${rows[0].status}: ${rows[0].status_reason ?? 'no reason given'}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        return new Promise<never>(() => undefined);
      })();
      try {
        return await Promise.race([wait, failed]);
      } finally {
        settled = true;
      }
    },
    git: async (...args) => (await promisify(execFile)('git', ['-C', repoPath, ...args])).stdout.trim(),
    async stop() {
      await app.stop();
      await cleanup();
    },
  };
}

// ---- The browser ----

export interface LocalPage {
  page: Page;
  /** Saves a PNG under SCREENSHOT_DIR/<prefix>-<n>-<name>.png, prints its path and returns it. */
  shot(name: string): Promise<string>;
  /** Picks the acting user in the user switcher. */
  actAs(userId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Debian's chromium with a fresh profile, on the page at `url`, acting as the requester. Browser
 * errors (uncaught exceptions, console errors) are collected into `errors` for the test to check.
 */
export async function openLocalPage(url: string, prefix: string): Promise<LocalPage & { errors: string[] }> {
  const profile = await mkdtemp(join(tmpdir(), 'baton-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1280, height: 860 },
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  let n = 0;
  const local: LocalPage & { errors: string[] } = {
    page,
    errors,
    async shot(name) {
      n += 1;
      const path = join(SCREENSHOT_DIR, `${prefix}-${String(n).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path, fullPage: false });
      console.log(`screenshot: ${relative(ROOT, path)}`);
      return path;
    },
    async actAs(userId) {
      await page.getByTestId('user-switcher').selectOption(userId);
      // The page refetches the state as that person; the switcher shows who acts now.
      await eventually(async () => (await page.getByTestId('user-switcher').inputValue()) === userId, 10_000, `the page to act as ${userId}`);
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
  await page.goto(url);
  await page.locator('[data-testid="live-status"][data-state="live"]').waitFor({ state: 'attached' });
  return local;
}

/** Writes a copy of a screenshot where the README shows it (only when a test is asked to: UPDATE_SCREENSHOT=1). */
export async function saveReadmeScreenshot(png: Buffer): Promise<string> {
  const path = join(ROOT, 'docs', 'local-mode.png');
  await writeFile(path, png);
  console.log(`README screenshot updated: ${relative(ROOT, path)}`);
  return path;
}

/** A TCP port nothing listens on right now (the OS's pick, then let go). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether a TCP connection to 127.0.0.1:`port` is refused. */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
