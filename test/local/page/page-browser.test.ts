// The page in a real browser against the real Slack emulator, with a scripted stand-in for Baton
// behind the emulator (the full Baton drives the page in the end-to-end browser test). Set
// BATON_PAGE_SHOTS to a folder to keep a screenshot of each step. It needs
// Debian's chromium (CHROMIUM_PATH, default /usr/bin/chromium) and playwright-core
// (PLAYWRIGHT_CORE: its index.mjs, default the package); without either it is skipped, saying so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { createSlackEmulator } from '../../../src/local/slack-emulator/create-slack-emulator.ts';
import { localPageRoutes } from '../../../src/local/page/local-page-routes.ts';
import type { LocalHandler } from '../../../src/local/local-handler.ts';
import { helpMessage } from '../../../src/bot/views/help-message.ts';
import { actions } from '../../../src/bot/views/buttons.ts';
import { rejectReasonModal } from '../../../src/bot/views/reject-reason-modal.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'xoxb-local-page-test';
const SECRET = 'page-test-signing-secret';
const HEAD = 'abcdef0123456789abcdef0123456789abcdef01';
const DIFF = 'diff --git a/src/calc.js b/src/calc.js\n--- a/src/calc.js\n+++ b/src/calc.js\n@@ -6,3 +6,3 @@\n-  for (let i = start; i < end; i++) out.push(i);\n+  for (let i = start; i <= end; i++) out.push(i);\n';

interface Locator {
  click(): Promise<void>;
  fill(text: string): Promise<void>;
  press(key: string): Promise<void>;
  waitFor(options?: { state?: 'visible' | 'hidden' | 'attached' | 'detached'; timeout?: number }): Promise<void>;
  textContent(): Promise<string | null>;
  getAttribute(name: string): Promise<string | null>;
  count(): Promise<number>;
  first(): Locator;
  last(): Locator;
  locator(selector: string): Locator;
  selectOption(value: string): Promise<unknown>;
  inputValue(): Promise<string>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  locator(selector: string): Locator;
  on(event: string, fn: (arg: { type?: () => string; text?: () => string; message?: string }) => void): void;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  evaluate<T>(fn: () => T): Promise<T>;
}
interface Browser {
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

async function loadPlaywright(): Promise<{ chromium: { launch(o: object): Promise<Browser> } } | string> {
  if (!existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH)`;
  const spec = process.env.PLAYWRIGHT_CORE ?? 'playwright-core';
  try {
    return (await import(spec)) as { chromium: { launch(o: object): Promise<Browser> } };
  } catch {
    return `playwright-core is not installed (npm install playwright-core, or set PLAYWRIGHT_CORE)`;
  }
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

type Json = Record<string, unknown> & { [k: string]: never | unknown };

/** A stand-in for Baton: answers what the emulator delivers, and calls the emulator's Web API back. */
function scriptedBaton(web: WebClient, seen: Json[]) {
  const later = (fn: () => Promise<unknown>) => void setTimeout(() => void fn().catch((err: unknown) => seen.push({ error: String(err) })), 10);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers['content-type']?.startsWith('application/json')) {
      const envelope = JSON.parse(raw) as { event: { type: string; text: string; channel: string; ts: string; user: string } };
      const event = envelope.event;
      seen.push({ event: event.type, text: event.text });
      if (event.type === 'app_home_opened') {
        later(() => web.views.publish({ user_id: event.user, view: { type: 'home', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Your runs' } }, { type: 'section', text: { type: 'mrkdwn', text: `Hello <@${event.user}>` } }] } }));
      }
      if (event.type === 'app_mention') {
        later(async () => {
          const value = JSON.stringify({ runId: 'r1', gate: 'merge', headSha: HEAD });
          await web.chat.postMessage({
            channel: event.channel, thread_ts: event.ts, text: 'review card',
            blocks: [
              { type: 'header', text: { type: 'plain_text', text: 'Review of DEMO-1' } },
              { type: 'section', text: { type: 'mrkdwn', text: `*Diff*\n\`\`\`\n${DIFF.replace(/</g, '&lt;')}\`\`\`` } },
              { type: 'section', text: { type: 'mrkdwn', text: 'Hostile: <javascript:alert(1)|click me> <!channel> &lt;img src=x onerror="window.__pwned=1"&gt;' } },
              actions('baton.gate.merge',
                { text: 'Approve', actionId: 'gate_approve', value, style: 'primary', confirm: { title: 'Approve with a veto?', text: 'security vetoed this change', confirm: 'Approve anyway', deny: 'Go back' } },
                { text: 'Reject', actionId: 'gate_reject', value, style: 'danger' }),
            ],
          });
          await web.filesUploadV2({ channel_id: event.channel, thread_ts: event.ts, filename: 'DEMO-1.diff', content: DIFF, title: 'DEMO-1.diff' });
        });
      }
      return void json({});
    }
    const form = new URLSearchParams(raw);
    if (form.get('command')) {
      seen.push({ command: form.get('command'), text: form.get('text'), user: form.get('user_id') });
      const help = helpMessage();
      return void json({ response_type: 'ephemeral', text: help.text, blocks: help.blocks });
    }
    const payload = JSON.parse(form.get('payload') ?? '{}') as { type: string; user: { id: string }; trigger_id: string; actions?: { action_id: string }[]; channel?: { id: string }; message?: { ts: string; thread_ts?: string }; view?: { state: { values: { reason: { reason: { value: string } } } } } };
    seen.push({ interaction: payload.type, user: payload.user.id, action: payload.actions?.[0]?.action_id });
    if (payload.type === 'block_actions' && payload.actions?.[0]?.action_id === 'gate_approve') {
      later(async () => {
        await web.chat.postMessage({ channel: payload.channel!.id, thread_ts: payload.message!.thread_ts, text: `Approved by <@${payload.user.id}>` });
        await web.chat.update({ channel: payload.channel!.id, ts: payload.message!.ts, text: 'review card', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: Approved by <@${payload.user.id}>` } }] });
      });
    }
    if (payload.type === 'block_actions' && payload.actions?.[0]?.action_id === 'gate_reject') {
      later(() => web.views.open({ trigger_id: payload.trigger_id, view: rejectReasonModal({ value: { runId: 'r1', gate: 'merge', headSha: HEAD }, ticketKey: 'DEMO-1' }) }));
    }
    if (payload.type === 'view_submission') {
      const reason = payload.view!.state.values.reason.reason.value;
      if (reason.length < 10) return void json({ response_action: 'errors', errors: { reason: 'Say a little more' } });
      later(() => web.chat.postMessage({ channel: 'C0LOCALDEV', text: `Rejected: ${reason}` }));
    }
    json({});
  };
}

/** The tracker and code host contracts (LOCAL-MODE.md), in memory. */
function trackerAndPulls(): LocalHandler {
  const tickets = [{ key: 'DEMO-1', team: 'DEMO', title: 'range() stops one short', description: 'range(1, 3) should be [1, 2, 3]', state: 'Todo', labels: ['bug'], priority: 2, url: '', created_at: '2026-03-04T09:00:00Z', updated_at: '2026-03-04T09:00:00Z', comments: [] as Json[] }];
  return async (req, res, url) => {
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const path = url.pathname;
    if (path === '/_/tickets' && req.method === 'GET') return send(200, { ok: true, tickets }), true;
    if (path === '/_/tickets' && req.method === 'POST') {
      const body = JSON.parse(await readBody(req)) as { team: string; title: string; body?: string; labels?: string[] };
      const ticket = { ...tickets[0]!, key: `${body.team}-${tickets.length + 1}`, title: body.title, description: body.body ?? '', labels: body.labels ?? [], state: 'Todo', comments: [] };
      tickets.push(ticket);
      return send(200, { ok: true, ticket }), true;
    }
    const one = /^\/_\/tickets\/([^/]+)(\/comments)?$/.exec(path);
    const ticket = one && tickets.find((t) => t.key === decodeURIComponent(one[1]!));
    if (one && ticket && one[2] && req.method === 'POST') {
      const body = JSON.parse(await readBody(req)) as { author: string; body: string };
      ticket.comments.push({ id: `c${ticket.comments.length + 1}`, author: body.author, body: body.body, created_at: new Date().toISOString() });
      return send(200, { ok: true }), true;
    }
    if (one && ticket) return send(200, { ok: true, ticket, comments: ticket.comments, history: [] }), true;
    if (path === '/_/pulls/p1') return send(200, { ok: true, pull: { id: 'p1', repo: 'local/demo-calc', number: 1, title: 'Fix range', body: '', state: 'open', head_ref: 'baton/DEMO-1', head_sha: HEAD, base_ref: 'main', base_sha: HEAD, url: '', created_at: '2026-03-04T09:00:00Z' }, diff: DIFF, checks: [{ name: 'With the change', conclusion: 'success', summary: 'node --test exited 0' }], comments: [] }), true;
    return false;
  };
}

test('the page in chromium: commands, mentions, a confirm, a thread, a file, a modal with errors, the user switcher, tickets and a PR', { timeout: 120_000 }, async (t) => {
  const playwright = await loadPlaywright();
  if (typeof playwright === 'string') {
    t.skip(`browser smoke test skipped: ${playwright}`);
    return;
  }
  const seen: Json[] = [];
  const local = await listen(() => undefined);
  const baton = await listen(scriptedBaton(new WebClient(TOKEN, { slackApiUrl: `${local.url}/api/` }), seen) as never);
  const emulator = createSlackEmulator({
    botToken: TOKEN, signingSecret: SECRET, batonEventsUrl: `${baton.url}/slack/events`, baseUrl: local.url,
    team: { id: 'T0LOCAL', name: 'Local' }, bot: { userId: 'U0BATONBOT', botId: 'B0BATONBOT', name: 'baton' },
    users: [{ id: 'U0LOCALREQ', name: 'riley', real_name: 'Riley (requester)' }, { id: 'U0LOCALAPP', name: 'avery', real_name: 'Avery (approver)' }],
    channels: [{ id: 'C0LOCALDEV', name: 'baton-demo' }],
  });
  const handlers = [emulator.handle, trackerAndPulls(), localPageRoutes()];
  local.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', local.url);
      for (const handler of handlers) if (await handler(req, res, url)) return;
      res.writeHead(404).end();
    })();
  });
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const shots = process.env.BATON_PAGE_SHOTS;
  const problems: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('console', (m) => { if (m.type?.() === 'error') problems.push(m.text?.() ?? ''); });
    page.on('pageerror', (e) => problems.push(String(e.message)));
    const shot = async (name: string) => {
      if (!shots) return;
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: join(shots, `${name}.png`) });
    };
    const $ = (testid: string) => page.locator(`[data-testid="${testid}"]`);
    try {

    await page.goto(`${local.url}/`);
    await page.locator('[data-testid="live-status"][data-state="live"]').waitFor({ state: 'attached' });
    assert.equal(await $('user-switcher').inputValue(), 'U0LOCALREQ', 'the first person by default');
    assert.equal(await page.locator('[data-testid="channel-link"][data-active="true"]').textContent(), '#baton-demo');

    // A slash command: Baton's ack comes back as an ephemeral only the typist sees.
    await $('composer').fill('/agent help');
    await $('composer').press('Enter');
    await $('ephemeral').waitFor();
    assert.match((await $('ephemeral').textContent()) ?? '', /Only visible to you/);
    assert.equal(await $('composer').inputValue(), '', 'the composer is cleared once sent');
    await shot('1-help');

    // A mention: @baton becomes <@U0BATONBOT>; the stand-in answers in the thread with a card and a file.
    await $('composer').fill('@baton please fix DEMO-1 <now> & then');
    await $('composer-send').click();
    await $('replies-link').waitFor();
    await page.locator('[data-testid="replies-link"]:has-text("2 replies")').waitFor();
    assert.ok(seen.some((e) => e.event === 'app_mention' && e.text === '<@U0BATONBOT> please fix DEMO-1 &lt;now&gt; &amp; then'), JSON.stringify(seen));
    assert.match((await $('message').last().textContent()) ?? '', /@baton please fix DEMO-1 <now> & then/);

    // The thread: the card with its buttons and coloured diff, the file, inert hostile text.
    await $('replies-link').click();
    await $('thread-panel').waitFor();
    const panel = $('thread-panel');
    await panel.locator('[data-testid="button"][data-action-id="gate_approve"]').waitFor();
    assert.equal(await panel.locator('.diff-add').count(), 1);
    assert.equal(await panel.locator('a[href^="javascript"]').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined);
    await shot('2-thread');

    // Approve has a confirm: Go back sends nothing; Approve anyway sends the click.
    await panel.locator('[data-testid="button"][data-action-id="gate_approve"]').click();
    await $('confirm-dialog').waitFor();
    assert.match((await $('confirm-dialog').textContent()) ?? '', /Approve with a veto\?security vetoed this changeGo backApprove anyway/);
    await shot('3-confirm');
    await $('confirm-cancel').click();
    await $('confirm-dialog').waitFor({ state: 'detached' });
    assert.ok(!seen.some((e) => e.action === 'gate_approve'), 'nothing sent on Go back');

    // The other person approves (the user switcher), after the confirm.
    await $('user-switcher').selectOption('U0LOCALAPP');
    // Riley's ephemeral is Riley's alone. (Locators, not string predicates: the page's CSP forbids eval.)
    await $('ephemeral').first().waitFor({ state: 'detached' });
    await panel.locator('[data-testid="button"][data-action-id="gate_approve"]').click();
    await $('confirm-ok').click();
    await panel.locator('[data-testid="message"]:has-text("Approved by @Avery (approver)")').first().waitFor();
    assert.ok(seen.some((e) => e.action === 'gate_approve' && e.user === 'U0LOCALAPP'));
    // The card is edited in place: the buttons gone, marked (edited).
    await panel.locator('[data-testid="message-edited"]').waitFor();
    assert.equal(await panel.locator('[data-testid="button"][data-action-id="gate_approve"]').count(), 0);

    // The file opens in the panel, its diff coloured.
    await panel.locator('[data-testid="file-link"]').click();
    await $('file-panel').waitFor();
    await page.locator('[data-testid="file-content"] .diff-add').waitFor();
    await $('file-close').click();

    // Reject (on a second card) opens Baton's modal: an empty reason is refused on the page, a short one by Baton.
    await $('composer').fill('@baton again');
    await $('composer').press('Enter');
    await page.locator('[data-testid="replies-link"]:has-text("2 replies")').waitFor();
    await page.locator('[data-testid="replies-link"]:has-text("2 replies")').click();
    await panel.locator('[data-testid="button"][data-action-id="gate_reject"]').click();
    await $('modal').waitFor();
    await $('modal-submit').click();
    assert.equal(await $('modal-error').textContent(), 'Please fill out this field.');
    await $('modal-input').fill('too bad');
    await $('modal-submit').click();
    await page.locator('[data-testid="modal-error"]:has-text("Say a little more")').waitFor();
    assert.equal(await $('modal-input').inputValue(), 'too bad', 'what was typed stays');
    await shot('4-modal');
    await $('modal-input').fill('The loop bound is still wrong for empty ranges');
    await $('modal-submit').click();
    await $('modal').waitFor({ state: 'detached' });
    await page.locator('[data-testid="message"]:has-text("Rejected: The loop bound")').waitFor();

    // A reply from the thread composer lands in the thread.
    await $('thread-composer').fill('thanks');
    await $('thread-composer').press('Enter');
    await panel.locator('[data-testid="message"]:has-text("thanks")').waitFor();

    // The App Home: Baton hears it was opened and publishes the view for this person.
    await $('nav-home').click();
    await page.locator('[data-testid="home-view"]:has-text("Hello @Avery (approver)")').waitFor();
    assert.ok(seen.some((e) => e.event === 'app_home_opened'));

    // Tickets: list, new ticket, a comment.
    await $('nav-tickets').click();
    await page.locator('[data-testid="ticket-row"][data-key="DEMO-1"]').waitFor();
    await $('new-ticket-title').fill('Divide by zero');
    await $('new-ticket-submit').click();
    await page.locator('[data-testid="ticket"][data-key="DEMO-2"]').waitFor();
    await $('ticket-comment-input').fill('Seen on Tuesday');
    await $('ticket-comment-submit').click();
    await page.locator('[data-testid="ticket-comment"]:has-text("Avery (approver)")').waitFor();
    await shot('5-ticket');

    // A pull request page with its coloured diff and checks.
    await page.goto(`${local.url}/pulls/p1`);
    await page.locator('[data-testid="pull-diff"] .diff-add').waitFor();
    assert.equal(await page.locator('[data-testid="pull-check"]').getAttribute('data-conclusion'), 'success');
    await shot('6-pull');

    // Back to the channel by the sidebar: the live page still follows the workspace.
    await $('channel-link').click();
    await $('message-list').waitFor();
    assert.ok((await $('message').count()) >= 2);
    } catch (error) {
      await shot('failed');
      throw new Error(`${(error as Error).message}\npage errors: ${problems.join('\n') || 'none'}`);
    }
  } finally {
    await browser.close();
    emulator.close();
    local.server.closeAllConnections();
    await new Promise((r) => local.server.close(r));
    await new Promise((r) => baton.server.close(r));
  }
  assert.deepEqual(problems, []);
});
