import type { Blocks } from '../../integrations/slack.ts';
import { section } from './blocks.ts';
import { clipMrkdwn } from './clip-mrkdwn.ts';
import { breakFences } from './inline-text.ts';

/** The agent's summary (untrusted: escaped, its ``` fences broken so a cut one cannot swallow the section), cut to `max` characters; the PR description has the whole of it. */
export function summarySection(summary: string, max: number): Blocks[number] {
  const { text, omitted } = clipMrkdwn(breakFences(summary.trim()) || 'No summary.', max);
  return section(`*Summary*\n${text}${omitted > 0 ? `…\n_(${omitted} more characters in the PR description)_` : ''}`);
}
