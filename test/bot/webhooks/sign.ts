import { createHmac } from 'node:crypto';

/** Hex HMAC-SHA256 of `body` under `secret`, as the senders compute it. */
export const hmacHex = (secret: string, body: Uint8Array): string => createHmac('sha256', secret).update(body).digest('hex');

/** The same bytes with one byte changed. */
export function flipOneByte(body: Buffer, at = Math.floor(body.length / 2)): Buffer {
  const copy = Buffer.from(body);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}
