import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS } from '../../../src/bot/views/action-ids.ts';
import { eventually } from '../../support/eventually.ts';
import { APPROVER, openLocalPage, REQUESTER, startLocalBaton, type LocalBaton, type LocalPage } from '../../support/local-mode.ts';

/*
 * The rest of what a person does on the page, in chromium against Baton in local mode: `/agent
 * help`, the refusals only the clicker sees (the demo's requester, who may not approve at all, and
 * an approver who asked for the run themselves), and Reject with its modal, whose reason lands in
 * the thread and on the local ticket. Screenshots go to test-results/local-mode/.
 */

let local: LocalBaton;
let browser: LocalPage & { errors: string[] };
before(async () => {
  local = await startLocalBaton();
  browser = await openLocalPage(local.localUrl, 'refusals');
});
after(async () => {
  await browser?.close();
  await local?.stop();
});

/** Runs `step`; on failure, a screenshot and the page's own errors go with the message. */
async function step(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    await browser.shot(`${name}-failed`).catch(() => undefined);
    throw new Error(`${name}: ${(error as Error).message}\npage errors: ${browser.errors.join('\n') || 'none'}`, { cause: error });
  }
}

const $ = (testid: string) => browser.page.getByTestId(testid);
const button = (actionId: string) => `[data-testid="button"][data-action-id="${actionId}"]`;

/** Types `/agent fix <key>` as whoever acts now, opens the run's thread and waits for its review card. */
async function fixAndOpenCard(key: string): Promise<void> {
  const { page } = browser;
  await $('composer').fill(`/agent fix ${key}`);
  await $('composer').press('Enter');
  await page.locator('[data-testid="ephemeral"]', { hasText: `Queued ${key}` }).waitFor();
  const root = $('message-list').locator('[data-testid="message"]', { hasText: key }).first();
  await root.getByTestId('replies-link').click();
  await local.unlessRunFails(key, page.locator(`[data-testid="thread-panel"] ${button(ACTIONS.gateApprove)}`).waitFor({ timeout: 120_000 }));
  // The panel shows this run's thread.
  await page.locator('[data-testid="thread-panel"] [data-testid="message"]', { hasText: key }).first().waitFor();
}

/** Clicks Approve in the open thread (through its confirm, if it has one). */
async function clickApprove(): Promise<void> {
  const approve = $('thread-panel').locator(button(ACTIONS.gateApprove));
  const confirm = await approve.getAttribute('data-confirm');
  await approve.click();
  if (confirm !== null && confirm !== 'false' && confirm !== '') await $('confirm-ok').click();
}

test('/agent help typed into the page: the help card, only visible to the typist', { timeout: 60_000 }, async () => {
  await step('help', async () => {
    assert.equal(await $('user-switcher').inputValue(), REQUESTER.id);
    await $('composer').fill('/agent help');
    await $('composer').press('Enter');
    const help = browser.page.locator('[data-testid="ephemeral"]', { hasText: '/agent fix' });
    await help.waitFor();
    assert.match((await help.textContent()) ?? '', /Only visible to you/);
    await browser.shot('help');
    // It is the requester's alone.
    await browser.actAs(APPROVER.id);
    await help.waitFor({ state: 'detached' });
    await browser.actAs(REQUESTER.id);
    await help.waitFor();
  });
});

test("Approve refused, shown only to the clicker: the requester's own (not an approver in the demo), and an approver's on a run they asked for (self-approval)", { timeout: 120_000 }, async () => {
  await step('requester-approves', async () => {
    await fixAndOpenCard('DEMO-1');
    await browser.shot('requester-card');
    await clickApprove();
    const refusal = browser.page.locator('[data-testid="ephemeral"]', { hasText: /may not approve|not an approver/ });
    await refusal.first().waitFor();
    assert.match((await refusal.first().textContent()) ?? '', /Only visible to you/);
    await browser.shot('requester-refused');
    // Nothing was approved: the card still has its buttons, main has not moved.
    assert.equal(await $('thread-panel').locator(button(ACTIONS.gateApprove)).count(), 1);
    const { rows } = await local.db.pool.query("SELECT 1 FROM approvals WHERE decision = 'approved'");
    assert.equal(rows.length, 0);
    // The approver does not see the requester's refusal.
    await browser.actAs(APPROVER.id);
    await refusal.first().waitFor({ state: 'detached' });
  });

  // An approver who asked for the run may not approve it either: the self-approval refusal.
  await step('approver-approves-own-run', async () => {
    const created = await fetch(`${local.localUrl}/_/tickets`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ team: 'DEMO', title: 'sumRange(2, 3) returns 2 instead of 5', body: 'range should include its end.', labels: ['bug'] }),
    });
    assert.equal(created.status, 201);
    const { ticket } = (await created.json()) as { ticket: { key: string } };
    await fixAndOpenCard(ticket.key);
    await clickApprove();
    const refusal = browser.page.locator('[data-testid="ephemeral"]', { hasText: 'requested this run and may not approve it' });
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /Only visible to you/);
    await browser.shot('self-approval-refused');
  });
});

test('Reject opens the modal; the reason lands in the thread and on the local ticket', { timeout: 120_000 }, async () => {
  const { page } = browser;
  const reason = 'The loop bound is right, but sumRange of an empty range must stay 0: add that test first.';
  await step('reject', async () => {
    // DEMO-1's card, as the approver (who did not ask for that run).
    await browser.actAs(APPROVER.id);
    await $('message-list').locator('[data-testid="message"]', { hasText: 'DEMO-1' }).first().getByTestId('replies-link').click();
    const panel = $('thread-panel');
    await panel.locator('[data-testid="message"]', { hasText: 'DEMO-1' }).first().waitFor();
    await panel.locator(button(ACTIONS.gateReject)).click();
    await $('modal').waitFor();
    assert.match((await $('modal').textContent()) ?? '', /Reject DEMO-1/);
    await $('modal-input').fill(reason);
    await browser.shot('reject-modal');
    await $('modal-submit').click();
    await $('modal').waitFor({ state: 'detached' });
    await panel.locator('[data-testid="message"]', { hasText: 'sumRange of an empty range must stay 0' }).first().waitFor();
    await panel.locator(button(ACTIONS.gateApprove)).waitFor({ state: 'detached' });
    await browser.shot('rejected');
  });

  // The local ticket carries the reason, as a tracker comment would.
  const ticket = await eventually(async () => {
    const now = await local.ticket('DEMO-1');
    return now.comments.some((c) => c.body.includes(reason)) ? now : undefined;
  }, 30_000, "the reason on DEMO-1's comments");
  assert.match(ticket.comments.find((c) => c.body.includes(reason))!.body, /rejected at the merge gate/);
  await local.runWhere("status = 'rejected'", 'the run to end rejected');
  assert.doesNotMatch(await local.git('show', 'main:src/calc.js'), /i <= end/, 'nothing was merged');

  // And on the ticket's page.
  await step('ticket-page', async () => {
    await page.goto(`${local.localUrl}/tickets/DEMO-1`);
    await page.locator('[data-testid="ticket-comment"]', { hasText: 'sumRange of an empty range must stay 0' }).waitFor();
    await browser.shot('ticket');
  });
  assert.deepEqual(browser.errors, [], 'the page logged no errors');
});
