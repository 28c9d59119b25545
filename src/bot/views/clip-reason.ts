import { clipMrkdwn } from './clip-mrkdwn.ts';

/** Slack refuses a section whose text is over 3,000 characters. */
export const SECTION_CHARS = 3_000;

/**
 * A reason (test output quoted by a gate, the agent's words, an API's message) escaped for mrkdwn
 * and cut so the escaped text, with the note of what was cut, fits `max` characters.
 */
export function clipReason(text: string, max: number): string {
  const note = (n: number): string => `… (${n} more characters)`;
  const whole = clipMrkdwn(text, max);
  if (whole.omitted === 0) return whole.text;
  // Room for the note itself; its number only gets shorter as less is cut.
  const cut = clipMrkdwn(text, Math.max(0, max - note(text.length).length));
  return `${cut.text}${note(cut.omitted)}`;
}
