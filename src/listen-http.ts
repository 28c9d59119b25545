import type { Server } from 'node:http';

/** Listens on `port`; a bind error (the port taken) rejects instead of throwing later. */
export function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops taking requests and resolves once the open ones are done. */
export function close(server: Server): Promise<void> {
  // Stop taking requests; Slack's in-flight ones finish (they ack within 3 s).
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed;
}
