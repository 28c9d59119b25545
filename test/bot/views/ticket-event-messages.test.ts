import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  runCancelledByTicketMessage,
  runResumedMessage,
  unknownTicketPrefixMessage,
} from '../../../src/bot/views/ticket-event-messages.ts';

const sectionText = (msg: { blocks?: unknown[] }): string => (msg.blocks?.[0] as { text: { text: string } }).text.text;

test('a run cancelled because the ticket moved: which state, which tracker, nothing pushed', () => {
  const msg = runCancelledByTicketMessage('ENG-123', 'Canceled', 'Linear');
  assert.equal(msg.text, 'ENG-123 was moved to Canceled in Linear, so Baton cancelled this run. Nothing will be pushed.');
  assert.equal(sectionText(msg), ":no_entry_sign: *ENG-123* was moved to *Canceled* in Linear, so Baton cancelled this run. Nothing will be pushed.");
  assert.ok(sectionText(runCancelledByTicketMessage('OPS-7', "Won't <!here> do", 'Jira')).includes('*Won\'t &lt;!here&gt; do* in Jira'));
});

test('a run resumed after the description was edited', () => {
  assert.equal(runResumedMessage('ENG-123').text, "ENG-123's description was edited, so Baton is resuming the run with the new description.");
});

test('an unknown prefix lists the configured ones and where to add it', () => {
  const msg = unknownTicketPrefixMessage('WEB-9', [
    { prefix: 'ENG', tracker: 'Linear' },
    { prefix: 'OPS', tracker: 'Jira' },
  ]);
  assert.equal(msg.text, "Baton doesn't know which tracker holds WEB-9 — configured prefixes: ENG (Linear), OPS (Jira). Add the prefix under `teams` in baton.yml.");
});

test('an unknown prefix with nothing configured says to add a team', () => {
  assert.equal(
    unknownTicketPrefixMessage('WEB-9', []).text,
    "Baton doesn't know which tracker holds WEB-9, and no ticket prefixes are configured yet — add a team to baton.yml.",
  );
});
