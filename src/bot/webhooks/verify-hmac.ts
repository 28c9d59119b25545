import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** A header as node:http hands it over; a repeated header arrives as an array and is not trusted. */
export type HeaderValue = string | string[] | undefined;

/**
 * Whether `hexDigest` is the HMAC-SHA256 of `rawBody` under one of `secrets` (the current one and,
 * while a rotation is under way, the previous one). The digest is compared as bytes with
 * timingSafeEqual, after checking the lengths match, which timingSafeEqual requires; every secret
 * is tried, so the time taken does not tell which one matched.
 */
export function matchesHmacSha256(rawBody: Uint8Array, hexDigest: string, secrets: readonly string[]): boolean {
  if (!/^[0-9a-f]{64}$/i.test(hexDigest)) return false;
  const given = Buffer.from(hexDigest, 'hex');
  let matched = false;
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  return matched;
}

/** Checks a `sha256=<hex>` header (GitHub's X-Hub-Signature-256, Jira's X-Hub-Signature). */
export function verifyPrefixedSha256(
  service: string,
  headerName: string,
  rawBody: Uint8Array,
  header: HeaderValue,
  secrets: readonly string[],
): SignatureCheck {
  if (typeof header !== 'string' || !header) return { ok: false, reason: `missing ${headerName} header` };
  const [method, digest = ''] = header.split('=', 2);
  if (method !== 'sha256') return { ok: false, reason: `${headerName} is not a sha256= signature` };
  if (!matchesHmacSha256(rawBody, digest, secrets)) return { ok: false, reason: `${headerName} does not match the body for any configured ${service} webhook secret` };
  return { ok: true };
}
