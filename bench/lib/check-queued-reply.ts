import type { Sample } from './run-open-loop.ts';

/**
 * What is wrong with a response to `/agent fix <key>`, or undefined when it is what Slack should
 * get: HTTP 200 with an ephemeral reply whose text starts "Queued <key>".
 */
export function checkQueuedReply(sample: Sample): string | undefined {
  if (sample.status !== 200) return `${sample.key}: HTTP ${sample.status || 'error'}${sample.error ? ` (${sample.error})` : ''}`;
  let reply: { response_type?: unknown; text?: unknown };
  try {
    reply = JSON.parse(sample.body) as typeof reply;
  } catch {
    return `${sample.key}: not JSON: ${JSON.stringify(sample.body.slice(0, 80))}`;
  }
  if (reply.response_type !== 'ephemeral') return `${sample.key}: response_type ${JSON.stringify(reply.response_type)}`;
  const text = typeof reply.text === 'string' ? reply.text : '';
  if (!new RegExp(`^Queued ${sample.key}\\b`).test(text)) return `${sample.key}: text ${JSON.stringify(text.slice(0, 80))}`;
  return undefined;
}
