import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS } from '../../src/bot/views/action-ids.ts';
import type { RunRow } from '../support/agent-flow.ts';
import { APPROVER, GITHUB_WEBHOOK_SECRET, startApprovalFlow, type ApprovalFlow } from '../support/approval-flow.ts';
import { eventually } from '../support/eventually.ts';
import { githubPullPushedDelivery } from '../support/webhook-deliveries.ts';

/*
 * Time and pushes take an approval away, never give one. An expired request is closed by the
 * reconcile tick: its card says so and loses its buttons, a fresh card asks again, and the old
 * card's Approve merges nothing. A new push to the run's branch (a real commit on the remote,
 * announced by a signed pull_request.synchronize delivery) moves the run's head, voids the card
 * and posts a fresh one for the unreviewed head; the old button is refused as stale.
 */

let flow: ApprovalFlow;
let expiring: RunRow;
let pushed: RunRow;
before(async () => {
  flow = await startApprovalFlow({ tickets: [43], deploy: false, policy: { gates: { merge: { expire_hours: 1 } } } });
  [expiring, pushed] = await Promise.all([flow.publish('ENG-42'), flow.publish('ENG-43')]);
});
after(async () => {
  await flow?.stop();
});

const prNumber = (run: RunRow): number => Number(run.pr_url!.split('/').at(-1));
const mergesOf = (run: RunRow) => flow.github.merges('acme', 'calc').filter((m) => m.number === prNumber(run));
const blocksOf = (run: RunRow, ts: string): string => JSON.stringify(flow.slack.repliesTo(run.thread_ts).find((m) => m.ts === ts)?.blocks ?? []);

test('an expired request does not merge: refused once past its time, then closed by the tick with a fresh card, and the old card\'s Approve still merges nothing', async () => {
  const run = expiring;
  const old = await flow.card(run);
  assert.match(JSON.stringify(old.blocks), /Approval expires/);
  const moved = await flow.db.pool.query(
    "UPDATE approval_requests SET expires_at = now() - interval '1 minute' WHERE run_id = $1 AND state = 'open'", [run.id],
  );
  assert.equal(moved.rowCount, 1);

  // Past its time but not swept yet: the click is refused as expired.
  const early = await flow.clickForEphemeral(old, ACTIONS.gateApprove, APPROVER);
  assert.match(early, /This merge approval request expired at/);
  assert.deepEqual(await flow.approvals(run.id), []);

  // The reconcile tick closes it: the old card says it expired, without buttons; a fresh card asks again.
  await flow.reconcileNow();
  assert.deepEqual((await flow.requests(run.id)).map((r) => r.state), ['expired', 'open']);
  const expired = blocksOf(run, old.ts);
  assert.match(expired, /Expired unanswered after 1 h: not approved/);
  assert.ok(!expired.includes(ACTIONS.gateApprove), 'the old card lost its buttons');
  const fresh = await flow.card(run, 'merge', old.ts);
  assert.equal(fresh.headSha, old.headSha);
  assert.match(JSON.stringify(fresh.blocks), /Approval expires/);
  const audit = (await flow.audit(run.id)).map((e) => e.action);
  assert.ok(audit.includes('approval.expired'));

  // The old card's Approve (a client that still shows it) is refused; only the fresh card counts.
  const stale = await flow.clickForEphemeral(old, ACTIONS.gateApprove, APPROVER);
  assert.match(stale, /This card is no longer the open request for this gate \(it expired or was replaced\); only the newest card can be used/);
  assert.deepEqual(await flow.approvals(run.id), []);
  assert.deepEqual(mergesOf(run), []);
  assert.equal((await flow.run('ENG-42')).status, 'awaiting_approval');
  assert.equal(blocksOf(run, fresh.ts), JSON.stringify(fresh.blocks), 'the fresh card is untouched by the refused click');

  // The fresh card's own Approve is the one that counts.
  await flow.click(fresh, ACTIONS.gateApprove, APPROVER);
  await eventually(async () => mergesOf(run).length === 1, 30_000, 'the merge approved on the fresh card');
  assert.deepEqual((await flow.requests(run.id)).map((r) => r.state), ['expired', 'approved']);
});

test('a new push voids the request: the old card says so, a fresh card for the unreviewed head asks to confirm, and the old button is refused as stale', async () => {
  const run = pushed;
  const old = await flow.card(run);
  const before = old.headSha;
  const after = await flow.demo.remote.commit(run.branch!, { 'NOTES.md': 'A note pushed by hand on top of Baton\'s fix.\n' }, 'Add a note');
  const delivery = githubPullPushedDelivery(
    { repo: 'acme/calc', number: prNumber(run), branch: run.branch!, before, after, pusher: 'grace-h' },
    { secret: GITHUB_WEBHOOK_SECRET },
  );
  const answer = await flow.deliver(delivery);
  assert.ok(answer.status >= 200 && answer.status < 300, `the delivery is accepted: ${answer.status} ${answer.text}`);

  const fresh = await flow.card(run, 'merge', old.ts);
  assert.equal(fresh.headSha, after, 'the fresh card is pinned to the pushed head');
  assert.equal((await flow.run('ENG-43') as RunRow & { head_sha: string }).head_sha, after);
  const freshText = JSON.stringify(fresh.blocks);
  assert.match(freshText, /Not reviewed\*: /);
  assert.match(freshText, new RegExp(`${after.slice(0, 7)} was pushed by grace-h after the review of ${before.slice(0, 7)}`));
  assert.match(fresh.button(ACTIONS.gateApprove).confirm?.text.text ?? '', /Not reviewed/);
  const voided = blocksOf(run, old.ts);
  assert.match(voided, new RegExp(`Voided: a new push \\(\`${after.slice(0, 7)}\`\\) replaced \`${before.slice(0, 7)}\``));
  assert.ok(!voided.includes(ACTIONS.gateApprove), 'the old card lost its buttons');
  assert.deepEqual((await flow.requests(run.id)).map((r) => [r.state, r.head_sha]), [['voided', before], ['open', after]]);

  const stale = await flow.clickForEphemeral(old, ACTIONS.gateApprove, APPROVER);
  assert.match(stale, new RegExp(`This button is for ${before.slice(0, 7)}, but the head is now ${after.slice(0, 7)}; only the newest card can be used`));
  assert.deepEqual(await flow.approvals(run.id), []);
  assert.deepEqual(mergesOf(run), []);
  assert.equal((await flow.run('ENG-43')).status, 'awaiting_approval');
  await eventually(async () => (await flow.audit(run.id)).some((e) => e.action === 'approval.voided' && e.actor === 'github:grace-h'), 5_000, 'the void in the audit log');
});
