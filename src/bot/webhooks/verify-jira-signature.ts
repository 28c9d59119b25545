import { verifyPrefixedSha256, type HeaderValue } from './verify-hmac.ts';

export const JIRA_SIGNATURE_HEADER = 'x-hub-signature';

export interface JiraSignatureInput {
  rawBody: Uint8Array;
  /** `X-Hub-Signature: sha256=<hex>`, HMAC-SHA256 of the raw body (WebSub's method=signature form). */
  signature: HeaderValue;
  /** The webhook's secret, and the previous one while rotating; empty when the webhook has none. */
  secrets: readonly string[];
}

/**
 * Jira admin webhooks are signed only when an admin gives them a secret; the secret is optional in
 * Jira's settings. With no secret configured here, the delivery is accepted unsigned (`unsigned: true`
 * lets the caller log that), and the URL itself is the only protection. Once a secret is configured,
 * an unsigned or wrongly signed delivery is refused.
 */
export function verifyJiraSignature(input: JiraSignatureInput): { ok: true; unsigned?: true } | { ok: false; reason: string } {
  if (!input.secrets.some(Boolean)) return { ok: true, unsigned: true };
  return verifyPrefixedSha256('Jira', 'X-Hub-Signature', input.rawBody, input.signature, input.secrets);
}
