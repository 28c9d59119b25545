import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../../logger.ts';
import type { DeliverySource } from '../../db/deliveries.ts';
import { BodyTooLargeError, ClientAbortedError, readRawBody } from './read-raw-body.ts';

export type Verification = { ok: true; unsigned?: true } | { ok: false; reason: string };
export type Parsed<E> = { ok: true; value: E } | { ok: false; reason: string };

/** What differs between Linear, Jira and GitHub; everything else about a webhook is the same. */
export interface WebhookSource<E> {
  name: DeliverySource;
  verify(rawBody: Buffer, headers: IncomingHttpHeaders): Verification;
  /** The sender's delivery id, the same on every retry of one delivery. */
  deliveryId(headers: IncomingHttpHeaders): string | undefined;
  eventName(headers: IncomingHttpHeaders, body: unknown): string;
  parse(body: unknown, eventName: string): Parsed<E>;
  /**
   * Also treat a delivery as seen when its exact bytes were: for a sender whose delivery id header
   * is not covered by its signature, so a signed body resent under a new id is still a duplicate.
   */
  dedupeOnBody?: boolean;
}

export interface AcceptedDelivery<E> {
  source: DeliverySource;
  deliveryId: string;
  /** Other keys the delivery is recorded under (its body's digest); seen under any, it is a duplicate. */
  alsoKnownAs: string[];
  eventName: string;
  event: E;
}

/**
 * How a delivery was answered: recorded and enqueued, seen before, signed but nothing Baton acts
 * on (200), refused (405, 413, 401, 400: the sender or an impostor is at fault), or failed (503,
 * 500: Baton is, and the sender retries).
 */
export type WebhookOutcome = 'queued' | 'duplicate' | 'ignored' | 'refused' | 'failed';

/** The counter /metrics shows (src/metrics/create-metrics.ts); one call per answered delivery. */
export interface WebhookMetrics {
  webhookDelivery(source: DeliverySource, outcome: WebhookOutcome): void;
}

export interface WebhookHandlerOptions<E> {
  source: WebhookSource<E>;
  maxBodyBytes: number;
  /** Records the delivery and enqueues its job in one transaction (src/jobs/accept-delivery.ts). */
  accept(delivery: AcceptedDelivery<E>): Promise<'queued' | 'duplicate'>;
  log: Logger;
  /** Counts each answer by outcome; absent when metrics are off. */
  metrics?: WebhookMetrics;
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A header's value when it came once and is not blank; a repeated header is not trusted. */
export function singleHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * `POST /webhooks/<source>`: size limit, signature on the raw bytes, then JSON, then the domain
 * event, then one transaction that records the delivery and enqueues the work. It answers as soon
 * as that commits, so senders see a fast 200 and the work happens in a job. A database failure
 * answers 503, which every sender retries, so nothing is lost.
 */
export function createWebhookHandler<E>(options: WebhookHandlerOptions<E>): RequestListener {
  const { source, log } = options;
  const count = (outcome: WebhookOutcome): void => options.metrics?.webhookDelivery(source.name, outcome);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') {
      count('refused');
      return answer(res, 405, { error: 'method_not_allowed' }, { allow: 'POST' });
    }
    let raw: Buffer;
    try {
      raw = await readRawBody(req, options.maxBodyBytes);
    } catch (error) {
      if (error instanceof ClientAbortedError) {
        // Nobody is left to answer (so nothing is counted); a sender that still wants it delivered will retry.
        log.info({ source: source.name, receivedBytes: error.receivedBytes }, 'webhook not read: the client closed the connection mid-body');
        return;
      }
      if (!(error instanceof BodyTooLargeError)) throw error;
      log.warn({ source: source.name, limit: error.limitBytes }, 'webhook refused: body too large');
      count('refused');
      // The rest of the body is not read; closing the connection stops the sender sending it.
      return answer(res, 413, { error: 'payload_too_large', limitBytes: error.limitBytes }, { connection: 'close' });
    }
    const verified = source.verify(raw, req.headers);
    if (!verified.ok) {
      log.warn({ source: source.name, reason: verified.reason }, 'webhook refused: signature check failed');
      count('refused');
      return answer(res, 401, { error: 'invalid_signature', reason: verified.reason });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      count('refused');
      return answer(res, 400, { error: 'invalid_json' });
    }
    const eventName = source.eventName(req.headers, body);
    const parsed = source.parse(body, eventName);
    if (!parsed.ok) {
      // Signed and well-formed but nothing Baton acts on: 200, or the sender would retry it for hours.
      log.debug({ source: source.name, eventName, reason: parsed.reason }, 'webhook ignored');
      count('ignored');
      return answer(res, 200, { status: 'ignored', reason: parsed.reason });
    }
    // A sender that omits its delivery id still resends the same bytes; their digest stands in.
    const digest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    const deliveryId = source.deliveryId(req.headers) ?? digest;
    const alsoKnownAs = source.dedupeOnBody && deliveryId !== digest ? [digest] : [];
    try {
      const outcome = await options.accept({ source: source.name, deliveryId, alsoKnownAs, eventName, event: parsed.value });
      log.info({ source: source.name, deliveryId, eventName, outcome, unsigned: verified.unsigned }, 'webhook accepted');
      count(outcome);
      return answer(res, 200, { status: outcome });
    } catch (error) {
      log.error({ err: error, source: source.name, deliveryId }, 'webhook could not be recorded; the sender will retry');
      count('failed');
      return answer(res, 503, { error: 'unavailable', hint: 'Baton could not record the delivery; it is safe to retry' }, { 'retry-after': '30' });
    }
  };
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error, source: source.name }, 'webhook handler failed');
      count('failed');
      if (!res.headersSent) answer(res, 500, { error: 'internal_error' });
      else res.end();
    });
  };
}

