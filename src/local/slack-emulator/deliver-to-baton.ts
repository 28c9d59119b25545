import { signSlackBody } from './sign-slack-body.ts';

/** What Baton answered a delivery: its HTTP status and body, or that it could not be reached. */
export type Delivery =
  | { ok: true; status: number; text: string; json?: unknown }
  | { ok: false; status: number; text: string; json?: unknown }
  | { ok: false; status: 0; error: string };

/**
 * Slack gives an app 3 s to answer. The emulator waits 10: local mode runs Baton, its database and
 * a browser on one machine, and a slow first answer there is not the app's fault (bench/ measures
 * the ack). A delivery that takes longer is reported as Slack words it, `operation_timeout`.
 */
const DELIVERY_TIMEOUT_MS = 10_000;

export interface DeliverOptions {
  url: string;
  signingSecret: string;
  /** Slash commands and interactions are form-encoded; Events API calls are JSON. */
  kind: 'form' | 'json';
  body: string;
  signal?: AbortSignal;
}

/** POSTs one signed request to Baton's /slack/events, as Slack would. */
export async function deliverToBaton(options: DeliverOptions): Promise<Delivery> {
  const headers = {
    'content-type': options.kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...signSlackBody(options.signingSecret, options.body, Math.floor(Date.now() / 1000)),
  };
  const timeout = AbortSignal.timeout(DELIVERY_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  let text: string;
  try {
    response = await fetch(options.url, { method: 'POST', headers, body: options.body, signal });
    text = await response.text();
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError') return { ok: false, status: 0, error: 'operation_timeout' };
    if (name === 'AbortError') return { ok: false, status: 0, error: 'emulator_closed' };
    return { ok: false, status: 0, error: 'baton_unreachable' };
  }
  const json = parseJson(text, response.headers.get('content-type'));
  const base = { status: response.status, text, ...(json === undefined ? {} : { json }) };
  return response.ok ? { ok: true, ...base } : { ok: false, ...base };
}

function parseJson(text: string, contentType: string | null): unknown {
  if (text.trim() === '' || !contentType?.includes('json')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Slack reads a body it cannot parse as no answer; so does the emulator.
    return undefined;
  }
}
