import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually.ts';
import { startLocalBaton, type LocalBaton } from '../support/local-mode.ts';

/*
 * Local mode with no Anthropic settings at all: everything else works (the emulator, the tracker,
 * the thread), and the run's thread says exactly which setting is missing instead of pretending
 * to be an agent, crashing or hanging silently.
 */

let local: LocalBaton;
before(async () => {
  local = await startLocalBaton({ model: false });
});
after(async () => {
  await local?.stop();
});

test('/agent fix DEMO-1 without a model: the thread names ANTHROPIC_API_KEY, the run waits, Baton keeps answering', async () => {
  assert.equal(local.app.config.anthropic, undefined, 'no model is configured');
  const typed = await local.type('/agent fix DEMO-1');
  assert.equal(typed.status, 200, JSON.stringify(typed.json));
  assert.equal(typed.json.ok, true);

  // The ack is shown to the requester; then the run opens its thread and says what is missing.
  const state = await eventually(async () => {
    const now = await local.state();
    const root = now.messages.find((m) => (!m.thread_ts || m.thread_ts === m.ts) && /DEMO-1/.test(m.text));
    if (!root) return undefined;
    const replies = now.messages.filter((m) => m.thread_ts === root.ts && m.ts !== root.ts);
    return replies.some((m) => JSON.stringify(m).includes('ANTHROPIC_API_KEY')) ? { now, root, replies } : undefined;
  }, 30_000, 'the thread to name the missing ANTHROPIC_API_KEY');
  assert.ok(state.now.ephemerals.some((e) => /DEMO-1/.test(e.text)), `the requester saw the command's answer: ${JSON.stringify(state.now.ephemerals)}`);
  assert.ok(JSON.stringify(state.root.blocks).includes(`${local.localUrl}/tickets/DEMO-1`), 'the root links the local ticket page');
  const saying = state.replies.filter((m) => JSON.stringify(m).includes('ANTHROPIC_API_KEY is not set on the Baton server'));
  assert.ok(saying.length > 0, `the thread says what is missing: ${JSON.stringify(state.replies)}`);
  // The message that says so offers a Retry (for once the setting is there).
  const buttons = saying.flatMap((m) => JSON.stringify(m.blocks ?? []).match(/"action_id":"[^"]+"/g) ?? []);
  assert.ok(buttons.includes('"action_id":"baton.run.retry"'), `a Retry button: ${buttons.join(', ')}`);

  const run = await local.runWhere('waiting_for_agent', 'the run to wait for a model', 'DEMO-1', 30_000);
  assert.equal(run.status, 'queued', 'the run waits rather than failing or pretending');
  assert.equal(local.app.logs.filter((l) => /"level":(50|60)/.test(l)).length, 0, `no error was logged:\n${local.app.logs.filter((l) => /"level":(50|60)/.test(l)).join('')}`);

  // Nothing hangs: Baton and the page still answer, and the next command is answered too.
  assert.equal((await fetch(`${local.app.url}/healthz`)).status, 200);
  assert.equal((await fetch(local.localUrl)).status, 200);
  const help = await local.type('/agent help');
  assert.equal(help.status, 200, JSON.stringify(help.json));
  assert.ok((await local.state()).ephemerals.some((e) => /\/agent fix/.test(JSON.stringify(e))), 'the help card came back');
});

test('the App Home tab: opening it publishes what waits on this person and the active runs', async () => {
  const opened = await fetch(`${local.localUrl}/_/slack/home_opened`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'U0LOCALAPP' }),
  });
  assert.equal(opened.status, 200);
  const home = await eventually(async () => {
    const state = (await (await fetch(`${local.localUrl}/_/slack/state?user=U0LOCALAPP`)).json()) as { home: { view: { blocks: unknown[] } } | null };
    return state.home?.view;
  }, 10_000, 'the Home view to be published');
  const text = JSON.stringify(home.blocks);
  assert.match(text, /Waiting on you/);
  assert.match(text, /Nothing waits for your approval/);
  assert.match(text, /Active runs/);
  assert.match(text, /DEMO-1/, 'the waiting run is listed');
});
