import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGateMetadata, VIEWS } from '../../../src/bot/views/action-ids.ts';
import { rejectReasonModal } from '../../../src/bot/views/reject-reason-modal.ts';
import { HEAD } from './gate-view-fixtures.ts';

const value = { runId: '6f1c2a7e-0000-4000-8000-000000000001', gate: 'merge' as const, headSha: HEAD };

test('reject modal: one required multiline reason, the gate in private_metadata, titles within 24 characters', () => {
  const view = rejectReasonModal({ value, ticketKey: 'ENG-1' });
  assert.equal(view.type, 'modal');
  assert.equal(view.callback_id, VIEWS.rejectReason);
  assert.deepEqual(parseGateMetadata(view.private_metadata), { ok: true, value });
  assert.equal(view.title.text, 'Reject ENG-1');
  assert.equal(view.submit?.text, 'Reject');
  assert.equal(view.close?.text, 'Cancel');
  const inputs = view.blocks.filter((b) => b.type === 'input');
  assert.equal(inputs.length, 1);
  assert.deepEqual(
    { block_id: inputs[0]!.block_id, optional: (inputs[0] as { optional?: boolean }).optional, element: { ...(inputs[0] as { element: object }).element, placeholder: undefined } },
    { block_id: 'reason', optional: false, element: { type: 'plain_text_input', action_id: 'reason', multiline: true, max_length: 1000, placeholder: undefined } },
  );
  assert.match(JSON.stringify(view.blocks), /Rejecting the merge of ENG-1 ends its run/);
  assert.match(JSON.stringify(rejectReasonModal({ value: { ...value, gate: 'production' }, ticketKey: 'ENG-1' }).blocks), /the production deploy of ENG-1/);
});

test('reject modal: a long ticket key is cut to fit the 24-character title', () => {
  const view = rejectReasonModal({ value, ticketKey: 'PLATFORMINFRA-123456789' });
  assert.ok(view.title.text.length <= 24, view.title.text);
  assert.match(view.title.text, /^Reject PLATFORMINFRA-12.*…$/);
  for (const t of [view.submit!.text, view.close!.text]) assert.ok(t.length <= 24);
});
