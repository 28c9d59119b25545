import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { verifySlackRequest } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { singleHeader } from './webhooks/create-webhook-handler.ts';
import { BodyTooLargeError, ClientAbortedError, readRawBody } from './webhooks/read-raw-body.ts';
import { checkSlackPayload } from './check-slack-payload.ts';

/** Slack's replay window, both ways: Bolt refuses requests older than this, but not ones dated ahead. */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

// Bolt's own default body limit (HTTPModuleFunctions.defaultBodyLimit); Slack's payloads are far smaller.
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface SlackGuardOptions {
  signingSecret: string;
  log: Logger;
  now?: () => number;
}

function refuse(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

type Verdict = { ok: true } | { ok: false; status: number; reason: string };

function verify(raw: Buffer, req: IncomingMessage, options: SlackGuardOptions): Verdict {
  const stamp = singleHeader(req.headers['x-slack-request-timestamp']);
  const signature = singleHeader(req.headers['x-slack-signature']);
  if (!stamp || !/^\d{1,12}$/.test(stamp) || !signature) return { ok: false, status: 401, reason: 'no signature or timestamp header' };
  const skew = Number(stamp) - Math.floor((options.now ?? Date.now)() / 1000);
  if (Math.abs(skew) > SLACK_MAX_SKEW_SECONDS) {
    const off = skew > 0 ? `${skew} s ahead` : `${-skew} s old`;
    return { ok: false, status: 401, reason: `request timestamp is ${off} (allowed: ${SLACK_MAX_SKEW_SECONDS} s either way)` };
  }
  try {
    verifySlackRequest({
      signingSecret: options.signingSecret,
      body: raw.toString(),
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(stamp) },
    });
  } catch (error) {
    // verifySlackRequest throws only to say the signature does not match; the message says how.
    return { ok: false, status: 401, reason: (error as Error).message };
  }
  return { ok: true };
}

/**
 * In front of Bolt's HTTP receiver: reads the body once, refuses a timestamp more than 5 minutes off
 * either way, a bad signature, or a payload Bolt would throw on (src/bot/check-slack-payload.ts),
 * and only then hands the request on. Bolt reuses the bytes read here (`req.rawBody`, its
 * BufferedIncomingMessage) and checks the signature again, which costs one HMAC.
 */
export function guardSlackRequest(bolt: RequestListener, options: SlackGuardOptions): RequestListener {
  const log = options.log.child({ component: 'slack-http' });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw: Buffer;
    try {
      raw = await readRawBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof ClientAbortedError) {
        log.info({ receivedBytes: error.receivedBytes }, 'Slack request not read: the client closed the connection mid-body');
        return;
      }
      if (!(error instanceof BodyTooLargeError)) throw error;
      log.warn({ limit: error.limitBytes }, 'Slack request refused: body too large');
      return refuse(res, 413, { connection: 'close' });
    }
    const contentType = req.headers['content-type'];
    const text = raw.toString();
    // Slack's unsigned SSL check; Bolt answers it and drops anything else in the body.
    const sslCheck = contentType === 'application/x-www-form-urlencoded' && parseQuery(text).ssl_check === '1';
    if (!sslCheck) {
      const verdict = verify(raw, req, options);
      if (!verdict.ok) {
        log.warn({ reason: verdict.reason }, 'Slack request refused: signature check failed');
        return refuse(res, verdict.status);
      }
      const checked = checkSlackPayload(text, contentType);
      if (!checked.ok) {
        log.warn({ reason: checked.reason }, 'Slack request refused: malformed payload');
        return refuse(res, 400);
      }
    }
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
    await bolt(req, res);
  };
  return (req, res) => handle(req, res);
}
