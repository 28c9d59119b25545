import type { Blocks, SlackMessage } from '../../integrations/slack.ts';

/** Small Block Kit builders so views read like the message they produce. */
export function section(markdown: string): Blocks[number] {
  return { type: 'section', text: { type: 'mrkdwn', text: markdown } };
}

export function context(...markdown: string[]): Blocks[number] {
  return { type: 'context', elements: markdown.map((text) => ({ type: 'mrkdwn', text })) };
}

export function message(text: string, ...blocks: Blocks): SlackMessage {
  return { text, blocks };
}

/** Slack renders `<`, `>` and `&` as markup; untrusted text must be escaped before it is shown. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function link(url: string, label: string): string {
  return `<${url}|${escapeMrkdwn(label)}>`;
}
