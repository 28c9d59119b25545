import { verifyPrefixedSha256, type HeaderValue, type SignatureCheck } from './verify-hmac.ts';

export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';

/** Said to a sender (and in the log) when no secret is set; every GitHub webhook can be given one. */
export const GITHUB_SECRET_NOT_CONFIGURED =
  "no GitHub webhook secret is configured: give the GitHub App's webhook a secret and set GITHUB_WEBHOOK_SECRET to it";

export interface GitHubSignatureInput {
  rawBody: Uint8Array;
  /** `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body. */
  signature: HeaderValue;
  /** The webhook secret, and the previous one while rotating. */
  secrets: readonly string[];
}

/** GitHub signs every delivery of a webhook that has a secret; Baton's must have one, so no secret means refuse. */
export function verifyGitHubSignature(input: GitHubSignatureInput): SignatureCheck {
  if (!input.secrets.some(Boolean)) return { ok: false, reason: GITHUB_SECRET_NOT_CONFIGURED };
  return verifyPrefixedSha256('GitHub', 'X-Hub-Signature-256', input.rawBody, input.signature, input.secrets);
}
