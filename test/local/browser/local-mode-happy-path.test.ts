import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ACTIONS } from '../../../src/bot/views/action-ids.ts';
import { eventually } from '../../support/eventually.ts';
import { APPROVER, openLocalPage, REQUESTER, saveReadmeScreenshot, startLocalBaton, type LocalBaton, type LocalPage } from '../../support/local-mode.ts';

/*
 * The whole of local mode in a real browser, as a newcomer meets it: Baton in local mode with the
 * fake Anthropic server scripted, the page in Debian's chromium. The requester types
 * `/agent fix DEMO-1`; the thread and its status checklist appear, then the review card with the
 * reviewers' scores and its buttons; the approver (the user switcher) clicks Approve; the card
 * says who approved, and the fix is on the demo repository's main. A screenshot of each step goes
 * to test-results/local-mode/; UPDATE_SCREENSHOT=1 also refreshes the README's docs/local-mode.png.
 */

let local: LocalBaton;
let browser: LocalPage & { errors: string[] };
before(async () => {
  local = await startLocalBaton();
  browser = await openLocalPage(local.localUrl, 'happy-path');
});
after(async () => {
  await browser?.close();
  await local?.stop();
});

test('in the browser: /agent fix DEMO-1 → thread and checklist → review card with scores → the approver approves → the fix is on main', { timeout: 150_000 }, async () => {
  const { page, shot } = browser;
  const $ = (testid: string) => page.getByTestId(testid);
  const baseSha = await local.git('rev-parse', 'main');
  assert.doesNotMatch(await local.git('show', 'main:src/calc.js'), /i <= end/, 'the demo starts with the bug');

  try {
    // The page opens as the requester, in #baton-demo.
    assert.equal(await $('user-switcher').inputValue(), REQUESTER.id);
    await page.locator('[data-testid="channel-link"][data-active="true"]', { hasText: 'baton-demo' }).waitFor();
    await shot('page');

    // 1. The command, typed into the composer; Baton's answer is an ephemeral for the requester.
    await $('composer').fill('/agent fix DEMO-1');
    await $('composer').press('Enter');
    await page.locator('[data-testid="ephemeral"]', { hasText: 'Queued DEMO-1' }).waitFor();
    await shot('queued');

    // 2. The thread root in the channel, then the thread with the status checklist.
    const root = $('message-list').locator('[data-testid="message"]', { hasText: 'DEMO-1' }).first();
    await root.waitFor();
    const replies = root.getByTestId('replies-link');
    await replies.waitFor();
    await shot('thread-root');
    await replies.click();
    const panel = $('thread-panel');
    await panel.waitFor();
    await panel.locator('[data-testid="message"]', { hasText: 'Ticket read' }).first().waitFor();
    assert.match((await panel.textContent()) ?? '', /Workspace ready/, 'the checklist lists the steps');
    await shot('checklist');

    // 3. The review card: the reviewers' scores, the consensus, Approve and Reject.
    const approveButton = `[data-testid="button"][data-action-id="${ACTIONS.gateApprove}"]`;
    const approve = panel.locator(approveButton);
    await local.unlessRunFails('DEMO-1', approve.waitFor({ timeout: 120_000 }));
    await panel.locator(`[data-testid="button"][data-action-id="${ACTIONS.gateReject}"]`).waitFor();
    const card = panel.locator('[data-testid="message"]', { has: page.locator(approveButton) });
    const cardText = (await card.textContent()) ?? '';
    assert.match(cardText, /score \d\.\d\d/, `the reviewers' scores: ${cardText}`);
    assert.match(cardText, /consensus|Consensus/, 'and the consensus');
    await panel.locator('[data-testid="message"]', { hasText: 'PR open' }).first().waitFor();
    await card.scrollIntoViewIfNeeded();
    await shot('review-card');

    // 4. The approver takes over (the user switcher) and sees the same card.
    await browser.actAs(APPROVER.id);
    await page.locator('[data-testid="ephemeral"]', { hasText: 'Queued DEMO-1' }).waitFor({ state: 'detached' });
    await approve.waitFor();
    // Taller, so the README's picture holds the whole card: the reviewers' scores down to the buttons.
    await page.setViewportSize({ width: 1280, height: 1280 });
    await card.scrollIntoViewIfNeeded();
    const readme = await shot('review-card-as-approver');
    await page.setViewportSize({ width: 1280, height: 860 });
    if (process.env.UPDATE_SCREENSHOT === '1') await saveReadmeScreenshot(await readFile(readme));

    // 5. Approve (through its confirm dialog when the card asks for one): the card says who approved.
    const confirm = await approve.getAttribute('data-confirm');
    await approve.click();
    if (confirm !== null && confirm !== 'false' && confirm !== '') {
      await $('confirm-dialog').waitFor();
      await shot('confirm');
      await $('confirm-ok').click();
    }
    await panel.locator('[data-testid="message"]', { hasText: `Approved by @${APPROVER.real_name}` }).first().waitFor({ timeout: 60_000 });
    await shot('approved');
  } catch (error) {
    await shot('failed').catch(() => undefined);
    throw new Error(`${(error as Error).message}\npage errors: ${browser.errors.join('\n') || 'none'}`, { cause: error });
  }

  // 6. The fix is on the demo repository's base branch: the approved commit, squashed onto main.
  await eventually(async () => (await local.git('rev-parse', 'main')) !== baseSha, 60_000, 'main of the demo repository to move');
  assert.match(await local.git('show', 'main:src/calc.js'), /for \(let i = start; i <= end; i\+\+\)/);
  assert.match(await local.git('show', 'main:test/range.test.js'), /range includes its end/);
  assert.equal(await local.git('rev-parse', 'main~1'), baseSha, 'one squashed commit on the base');
  assert.deepEqual(browser.errors, [], 'the page logged no errors');
});
