import type { ServerResponse } from 'node:http';

/** A comment line keeps proxies and the browser from dropping a quiet stream. */
const PING_MS = 15_000;

/** Server-sent events to the page: `change` with the new version on every change to the workspace. */
export class ChangeStream {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;

  open(res: ServerResponse, version: number): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Tells a buffering proxy (nginx) to pass events through as they come.
      'x-accel-buffering': 'no',
    });
    // The current version at once, so a page that connects after a change still refetches.
    res.write(`retry: 2000\nevent: change\ndata: ${JSON.stringify({ version })}\n\n`);
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    this.timer ??= setInterval(() => this.broadcast(': ping\n\n'), PING_MS).unref();
  }

  changed(version: number): void {
    this.broadcast(`event: change\ndata: ${JSON.stringify({ version })}\n\n`);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private broadcast(chunk: string): void {
    for (const res of this.clients) res.write(chunk);
  }
}
