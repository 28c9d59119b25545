import { matchesHmacSha256, type HeaderValue, type SignatureCheck } from './verify-hmac.ts';
import { readBodyTimestamp } from './read-body-timestamp.ts';

export const LINEAR_SIGNATURE_HEADER = 'linear-signature';

/** Said to a sender (and in the log) when no secret is set: Linear always signs, so there is no opting out. */
export const LINEAR_SECRET_NOT_CONFIGURED =
  'no Linear webhook secret is configured: set LINEAR_WEBHOOK_SECRET to the signing secret Linear shows for the webhook (Settings → API → Webhooks)';

/** Linear's guidance: refuse a delivery whose webhookTimestamp is more than a minute from now (replay protection). */
const MAX_SKEW_MS = 60_000;

export interface LinearSignatureInput {
  rawBody: Uint8Array;
  /** The `Linear-Signature` header: hex HMAC-SHA256 of the raw body. */
  signature: HeaderValue;
  /** The webhook's signing secret, and the previous one while rotating. */
  secrets: readonly string[];
  now?: number;
}

/** Verifies a Linear webhook delivery on its raw bytes, then its freshness. Linear always signs, so no secret means refuse. */
export function verifyLinearSignature(input: LinearSignatureInput): SignatureCheck {
  if (!input.secrets.some(Boolean)) return { ok: false, reason: LINEAR_SECRET_NOT_CONFIGURED };
  if (typeof input.signature !== 'string' || !input.signature) return { ok: false, reason: 'missing Linear-Signature header' };
  if (!matchesHmacSha256(input.rawBody, input.signature, input.secrets)) {
    return { ok: false, reason: 'Linear-Signature does not match the body for any configured Linear webhook secret' };
  }
  const read = readBodyTimestamp(input.rawBody, 'webhookTimestamp');
  if (!read.ok) return read;
  const timestamp = read.ms;
  const skew = (input.now ?? Date.now()) - timestamp;
  if (Math.abs(skew) > MAX_SKEW_MS) {
    return { ok: false, reason: `webhookTimestamp is ${Math.round(skew / 1000)} s from now (allowed: ±${MAX_SKEW_MS / 1000} s); a stale or replayed delivery` };
  }
  return { ok: true };
}
