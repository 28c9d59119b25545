import { signSlackBody, slashCommandBody } from '../../test/fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../../test/fakes/slack-defaults.ts';

export interface SlashRequest {
  /** The ticket key the command asks to fix, e.g. BENCH-17. */
  key: string;
  /** Sent before the measured window and left out of its numbers. */
  warmup: boolean;
  body: string;
  headers: Record<string, string>;
}

/**
 * `/agent fix <PREFIX>-<n>` for n = 1…count, each signed as Slack signs it. Built and signed ahead
 * of the run, so neither HMACs nor body building sit in the timed path.
 */
export function signedSlashRequests(prefix: string, count: number, options: { warmup: boolean }): SlashRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `${prefix}-${i + 1}`;
    const body = slashCommandBody({ text: `fix ${key}`, channel_id: SLACK_DEFAULTS.channelId });
    return {
      key,
      warmup: options.warmup,
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(body)),
        ...signSlackBody(SLACK_DEFAULTS.signingSecret, body),
      },
    };
  });
}
