import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request handler as the local server mounts it: true when it answered, false to let the next one try. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export class BodyTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`body over ${limitBytes} bytes`);
  }
}

/** The whole body, refused past `limitBytes` (the socket is left to the server to close). */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) throw new BodyTooLarge(limitBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}
