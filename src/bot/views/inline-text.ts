import { clipMrkdwn } from './clip-mrkdwn.ts';

/**
 * Runs of backticks broken with a zero-width space: a ``` in a model's or a ticket's text would
 * open a code block that swallows the rest of Baton's section. A single backtick (inline code) stays.
 */
export function breakFences(text: string): string {
  return text.replace(/`(?=`)/g, '`\u200B');
}

/**
 * Untrusted text as one line of mrkdwn: whitespace collapsed (so it cannot start a line of its own
 * that looks like Baton's), fences broken, escaped, and cut to `max` characters with an ellipsis.
 */
export function inlineText(text: string, max: number): string {
  const clipped = clipMrkdwn(breakFences(text.replace(/\s+/g, ' ').trim()), max);
  return `${clipped.text}${clipped.omitted > 0 ? '…' : ''}`;
}
