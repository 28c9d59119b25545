import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appHomeView } from '../../../src/bot/views/app-home-view.ts';
import { HEAD, HOSTILE, MERGED, run } from './gate-view-fixtures.ts';

test('the App Home lists what waits on the person (gate, short SHA, expiry) before the active runs', () => {
  const view = appHomeView({
    yours: [
      { run, gate: 'merge', headSha: HEAD, expiresAt: new Date('2026-12-07T10:00:00Z') },
      { run: { ...run, ticketKey: 'ENG-8' }, gate: 'production', headSha: MERGED, expiresAt: null },
    ],
    runs: [run],
  });
  assert.equal(view.type, 'home');
  const text = JSON.stringify(view.blocks);
  assert.ok(text.indexOf('Waiting on you') < text.indexOf('Active runs'));
  assert.match(text, /merge of `abcdef0`/);
  assert.match(text, /production deploy of `0123456`/);
  assert.match(text, /expires <!date\^/);
});

test('empty lists say so; long ones are cut within Slack limits; untrusted titles stay inert', () => {
  const empty = JSON.stringify(appHomeView({ yours: [], runs: [] }).blocks);
  assert.match(empty, /Nothing waits for your approval/);
  assert.match(empty, /Nothing is running/);
  const many = Array.from({ length: 60 }, (_, i) => ({ ...run, ticketKey: `ENG-${i}`, ticketTitle: HOSTILE }));
  const view = appHomeView({ yours: many.map((r) => ({ run: r, gate: 'merge' as const, headSha: HEAD, expiresAt: null })), runs: many });
  assert.ok(view.blocks.length <= 100, `${view.blocks.length} blocks`);
  const text = JSON.stringify(view.blocks);
  assert.match(text, /and 40 more/);
  assert.ok(!text.includes('<!channel>') && !text.includes('<http://evil'), 'escaped');
});
