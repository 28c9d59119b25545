import type { ModalView } from '@slack/web-api';
import type { GateButtonValue } from '../../domain/gate.ts';
import { gateButtonValue, VIEWS } from './action-ids.ts';

// Slack caps a modal's title, submit and close texts at 24 characters each.
const TITLE_CHARS = 24;
export const REJECT_REASON_CHARS = 1_000;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

function title(ticketKey: string): string {
  const full = `Reject ${ticketKey}`;
  if (full.length <= TITLE_CHARS) return full;
  // A key this long is cut rather than refused by Slack (which would leave the click unanswered).
  return `${full.slice(0, TITLE_CHARS - 1)}…`;
}

/**
 * Asks the approver why, before a Reject counts. The gate it rejects travels in private_metadata
 * (the same JSON a button carries, read back with parseGateMetadata and checked again on submit).
 */
export function rejectReasonModal(input: { value: GateButtonValue; ticketKey: string }): ModalView {
  const what = input.value.gate === 'merge' ? 'the merge' : 'the production deploy';
  return {
    type: 'modal',
    callback_id: VIEWS.rejectReason,
    private_metadata: gateButtonValue(input.value),
    title: plain(title(input.ticketKey)),
    submit: plain('Reject'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'section',
        // plain_text: the ticket key is shown as typed, never parsed as markup.
        text: plain(`Rejecting ${what} of ${input.ticketKey} ends its run. The reason is posted in the thread and kept in the audit log.`),
      },
      {
        type: 'input',
        block_id: 'reason',
        optional: false,
        label: plain('Why?'),
        element: {
          type: 'plain_text_input',
          action_id: 'reason',
          multiline: true,
          max_length: REJECT_REASON_CHARS,
          placeholder: plain('What is wrong with this change, so the next run (or a person) can do better'),
        },
      },
    ],
  };
}
