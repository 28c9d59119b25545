import type { Blocks } from '../../integrations/slack.ts';

export interface Button {
  text: string;
  actionId: string;
  value: string;
  style?: 'primary' | 'danger';
  /** A confirmation dialog before the click counts (Slack shows it; the server still checks). */
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

/** One actions block of buttons. Button texts are Baton's own, never untrusted text. */
export function actions(blockId: string, ...buttons: Button[]): Blocks[number] {
  return {
    type: 'actions',
    block_id: blockId,
    elements: buttons.map((b) => ({
      type: 'button' as const,
      text: plain(b.text),
      action_id: b.actionId,
      value: b.value,
      ...(b.style ? { style: b.style } : {}),
      ...(b.confirm
        ? { confirm: { title: plain(b.confirm.title), text: plain(b.confirm.text), confirm: plain(b.confirm.confirm), deny: plain(b.confirm.deny) } }
        : {}),
    })),
  };
}
