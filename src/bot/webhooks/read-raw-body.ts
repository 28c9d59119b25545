import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  readonly code = 'body_too_large';
  constructor(readonly limitBytes: number) {
    super(`the body is larger than ${limitBytes} bytes`);
  }
}

/** The client closed the connection before its body was complete: normal network behaviour, not Baton's fault. */
export class ClientAbortedError extends Error {
  readonly code = 'client_aborted';
  constructor(readonly receivedBytes: number, options: { cause: unknown }) {
    super(`the client closed the connection after ${receivedBytes} bytes of its body`, options);
  }
}

/**
 * Reads the request body as bytes, refusing more than `limitBytes`: by Content-Length before
 * reading anything, else as soon as the stream passes the limit. Signatures are checked on these
 * exact bytes, so nothing may parse or re-encode them first.
 */
export async function readRawBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new BodyTooLargeError(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) throw new BodyTooLargeError(limitBytes);
      chunks.push(chunk);
    }
  } catch (error) {
    // Node fails the stream with `aborted` (ECONNRESET) when the socket closes mid-body.
    if (!(error instanceof BodyTooLargeError) && !req.complete) throw new ClientAbortedError(size, { cause: error });
    throw error;
  }
  return Buffer.concat(chunks, size);
}
