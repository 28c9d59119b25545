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
/**
 * Text from outside (ticket titles, state names, GitHub comments, error reasons) made inert in
 * mrkdwn: `<`, `>` and `&` escaped (so no `<!channel>` or `<http://evil|x>`), and bare @channel,
 * @here and @everyone broken with a zero-width space, because Slack's text object docs say that
 * with `verbatim: false` (the default) "certain mentions will be automatically parsed".
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(channel|here|everyone)\b/gi, '@\u200B$1');
}

/** A Slack link, only to a plain http(s) URL (trackers and GitHub apps choose their own URLs); otherwise just the label. */
export function link(url: string, label: string): string {
  return /^https?:\/\/[^\s<>|]+$/.test(url) ? `<${url}|${escapeMrkdwn(label)}>` : escapeMrkdwn(label);
}
