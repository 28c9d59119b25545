import type { TicketEvent } from '../../domain/ticket-event.ts';
import { singleHeader, type WebhookSource } from './create-webhook-handler.ts';
import { parseLinearWebhook } from './parse-linear-webhook.ts';
import { LINEAR_SIGNATURE_HEADER, verifyLinearSignature } from './verify-linear-signature.ts';

/** Linear names each delivery in `Linear-Delivery` and the entity in `Linear-Event` (Issue, Comment, …). */
export function linearWebhookSource(secrets: readonly string[], now: () => number = Date.now): WebhookSource<TicketEvent> {
  return {
    name: 'linear',
    verify: (rawBody, headers) => verifyLinearSignature({ rawBody, signature: headers[LINEAR_SIGNATURE_HEADER], secrets, now: now() }),
    deliveryId: (headers) => singleHeader(headers['linear-delivery']),
    // Linear-Signature covers the body only, not Linear-Delivery: for the minute its webhookTimestamp
    // stays fresh, a captured body resent under a new id would count as new. Its digest stops that.
    // Two real events never share bytes: each body carries its own webhookTimestamp and data.
    dedupeOnBody: true,
    eventName: (headers, body) => {
      const b = body as { type?: unknown; action?: unknown } | null;
      return `${singleHeader(headers['linear-event']) ?? String(b?.type)}.${String(b?.action)}`;
    },
    parse: (body) => parseLinearWebhook(body),
  };
}
