import { verifyPrefixedSha256, type HeaderValue } from './verify-hmac.ts';
import { readBodyTimestamp } from './read-body-timestamp.ts';

export const JIRA_SIGNATURE_HEADER = 'x-hub-signature';

/**
 * Jira retries a failed delivery, with the same bytes, for up to about 30 minutes, so a signed body
 * older than an hour is not a retry but a replay. Jira's clock may run a little ahead of ours.
 */
export const JIRA_MAX_AGE_MS = 60 * 60_000;
export const JIRA_MAX_FUTURE_SKEW_MS = 5 * 60_000;

export interface JiraSignatureInput {
  rawBody: Uint8Array;
  /** `X-Hub-Signature: sha256=<hex>`, HMAC-SHA256 of the raw body (WebSub's method=signature form). */
  signature: HeaderValue;
  /** The webhook's secret, and the previous one while rotating; empty when the webhook has none. */
  secrets: readonly string[];
  /** baton.yml `webhooks.allow_unsigned` names jira: with no secret, accept deliveries unsigned. */
  allowUnsigned?: boolean;
  now?: number;
}

/** Said to a sender (and in the log) when no secret is set and unsigned deliveries are not allowed. */
export const JIRA_SECRET_NOT_CONFIGURED =
  'no Jira webhook secret is configured: give the Jira webhook a secret (Jira settings → System → WebHooks → Secret) ' +
  'and set JIRA_WEBHOOK_SECRET to it, or list jira under webhooks.allow_unsigned in baton.yml to accept unsigned deliveries';

/**
 * Jira admin webhooks are signed only when an admin gives them a secret; the secret is optional in
 * Jira's settings. With no secret configured here, every delivery is refused, unless baton.yml opts
 * in to unsigned ones (`unsigned: true` then lets the caller log each), and the URL itself is the only
 * protection. Once a secret is configured, an unsigned or wrongly signed delivery is refused whatever
 * the opt-in says, and so is a signed one whose top-level `timestamp` (ms since the epoch, in every
 * Jira webhook payload) is outside the window: the signature covers only the body, so without this
 * one captured body could be resent forever.
 */
export function verifyJiraSignature(input: JiraSignatureInput): { ok: true; unsigned?: true } | { ok: false; reason: string } {
  if (!input.secrets.some(Boolean)) return input.allowUnsigned ? { ok: true, unsigned: true } : { ok: false, reason: JIRA_SECRET_NOT_CONFIGURED };
  const signed = verifyPrefixedSha256('Jira', 'X-Hub-Signature', input.rawBody, input.signature, input.secrets);
  if (!signed.ok) return signed;
  const read = readBodyTimestamp(input.rawBody, 'timestamp');
  if (!read.ok) return read;
  const timestamp = read.ms;
  const age = (input.now ?? Date.now()) - timestamp;
  if (age > JIRA_MAX_AGE_MS || age < -JIRA_MAX_FUTURE_SKEW_MS) {
    const allowed = `${JIRA_MAX_AGE_MS / 60_000} min old to ${JIRA_MAX_FUTURE_SKEW_MS / 60_000} min ahead`;
    const off = age >= 0 ? `${Math.round(age / 60_000)} min old` : `${Math.round(-age / 60_000)} min ahead`;
    return { ok: false, reason: `timestamp is ${off} (allowed: ${allowed}); a stale or replayed delivery` };
  }
  return { ok: true };
}
