/**
 * The delivery's own timestamp (ms since the epoch) from a top-level field of its JSON body, read
 * after the signature matched: signatures cover the body only, so this is what dates a delivery.
 */
export function readBodyTimestamp(rawBody: Uint8Array, field: string): { ok: true; ms: number } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = (JSON.parse(Buffer.from(rawBody).toString('utf8')) as Record<string, unknown> | null)?.[field];
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { ok: false, reason: 'the body is not JSON' };
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, reason: `the body has no numeric ${field}` };
  return { ok: true, ms: value };
}
