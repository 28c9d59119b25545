import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV_KEYS } from '../../src/config.ts';
import { LOCAL_DEMO } from '../../src/local-demo-policy.ts';
import { eventually } from '../support/eventually.ts';
import { connectionRefused, freePort } from '../support/local-mode.ts';
import { spawnBaton, type BatonProcess } from '../support/spawn-baton.ts';

/*
 * A fresh clone: `npm start` with no Slack, tracker, GitHub, Anthropic or database settings comes
 * up on the embedded PostgreSQL in local mode, prints the URL to open, and that page answers, the
 * emulator included: `/agent help` typed into its composer comes back as the help card.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

test('npm start with nothing configured: local mode on the embedded database, the URL printed, the page and /agent help answer, SIGTERM stops it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-fresh-'));
  // A baton.yml with nothing in it, as a fresh clone has none (a checkout's own one stays out of it).
  writeFileSync(join(dir, 'baton.yml'), '');
  const [port, localPort] = [await freePort(), await freePort()];
  let baton: BatonProcess | undefined;
  try {
    baton = await spawnBaton({
      cwd: ROOT,
      command: ['npm', 'start'],
      timeoutMs: 50_000,
      env: {
        // Empty values hide a .env in the checkout; LOCAL_MODE empty is unset: auto.
        ...Object.fromEntries(ENV_KEYS.map((key) => [key, ''])),
        DATA_DIR: join(dir, '.data'),
        BATON_CONFIG: join(dir, 'baton.yml'),
        PORT: String(port),
        LOCAL_PORT: String(localPort),
        LOG_PRETTY: 'false',
        HOME: dir,
        npm_config_update_notifier: 'false',
      },
    });
    const localUrl = `http://127.0.0.1:${localPort}`;
    const output = (): string => baton!.output.join('');
    const opened = await eventually(async () => output().split('\n').find((line) => line.includes(`Local mode: open ${localUrl}`)), 10_000, 'the line with the URL to open');
    assert.match(opened, /SLACK_BOT_TOKEN/, 'and how to connect a real workspace instead');
    assert.match(output(), /embedded PostgreSQL/, 'on the embedded database');
    assert.equal(baton.url, `http://127.0.0.1:${port}`);

    const page = await fetch(`${localUrl}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<html/i);
    const tickets = (await (await fetch(`${localUrl}/_/tickets`)).json()) as { tickets: { key: string }[] };
    assert.deepEqual(tickets.tickets.map((t) => t.key), ['DEMO-1'], 'the demo ticket was made');
    assert.ok(existsSync(join(dir, '.data', 'local', 'demo-calc', '.git')), 'and the demo repository');

    const typed = await fetch(`${localUrl}/_/slack/command`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: LOCAL_DEMO.requester.id, channel: LOCAL_DEMO.channel.id, text: '/agent help' }),
    });
    const answer = (await typed.json()) as { ok: boolean };
    assert.equal(typed.status, 200, JSON.stringify(answer));
    assert.equal(answer.ok, true);
    const state = (await (await fetch(`${localUrl}/_/slack/state?user=${LOCAL_DEMO.requester.id}`)).json()) as { ephemerals: { text: string; blocks?: unknown[] }[] };
    const help = state.ephemerals.find((e) => /\/agent fix/.test(JSON.stringify(e.blocks ?? e.text)));
    assert.ok(help, `the help card is shown to the requester only: ${JSON.stringify(state.ephemerals)}`);
    assert.ok(Array.isArray(help.blocks) && help.blocks.length > 0, 'as a Block Kit card');

    const code = await baton.stop('SIGTERM');
    assert.equal(code, 0, `a clean stop:\n${output().slice(-2000)}`);
    assert.equal(alive(baton.pid), false, 'Baton itself is gone, not only npm');
    assert.equal(await connectionRefused(localPort), true, 'the page no longer answers');
    assert.equal(await connectionRefused(port), true, "nor Baton's port");
    assert.match(output(), /Baton stopped/);
  } finally {
    if (baton && alive(baton.pid)) process.kill(baton.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
