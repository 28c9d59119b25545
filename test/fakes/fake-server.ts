import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import { parseSlackBody } from '../../src/local/slack-emulator/slack-args.ts';

/** One request as the fake saw it. `body` is parsed JSON or form fields; `rawBody` is the exact bytes. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  body: unknown;
  params: Record<string, string>;
}

export interface RecordedCall extends FakeRequest {
  status: number;
  at: number;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Serialized as JSON. */
  body?: unknown;
  /** Sent as-is (takes precedence over `body`). */
  raw?: string | Buffer;
  /** Server-sent events: each chunk is written and flushed in order, with `chunkDelayMs` between. */
  stream?: string[];
  chunkDelayMs?: number;
  /**
   * A connection dropped mid-response: write the headers and this many `stream` chunks, then destroy the
   * socket without ending the response. Without `stream`, the socket is destroyed before anything is written.
   */
  dropAfterChunks?: number;
}

export type Handler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/** A scripted failure, applied to the next `times` requests that match. */
export interface Fault {
  status?: number;
  retryAfterSeconds?: number;
  /** Extra response headers (x-ratelimit-remaining, …). */
  headers?: Record<string, string>;
  body?: unknown;
  /** Delay before answering (a slow service). With no status, the real answer follows the delay. */
  delayMs?: number;
  /** How many matching requests it applies to; default 1. */
  times?: number;
  match?: (req: FakeRequest) => boolean;
}

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

function compile(pattern: string): { pattern: RegExp; keys: string[] } {
  const keys: string[] = [];
  const source = pattern
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        keys.push(part.slice(1));
        return '([^/]+)';
      }
      if (part === '*') {
        keys.push('rest');
        return '(.*)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), keys };
}

// JSON, form fields, or the text: the way Slack's API reads a body, which serves every fake here
// (a malformed JSON body is kept as its text, which a fake may be asked to record).
const parseBody = parseSlackBody;

/**
 * A small node:http server on 127.0.0.1:0 that records every call, answers from routes,
 * and injects faults (429 with Retry-After, 5xx, latency). Every fake service builds on it.
 */
export class FakeServer {
  readonly calls: RecordedCall[] = [];
  private readonly routes: Route[] = [];
  private readonly faults: (Fault & { times: number })[] = [];
  private readonly events = new EventEmitter();
  private server: Server | undefined;
  private baseLatencyMs = 0;
  private address = '';

  constructor(readonly name: string) {}

  get url(): string {
    if (!this.address) throw new Error(`${this.name} fake is not started`);
    return this.address;
  }

  route(method: string, path: string, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), ...compile(path), handler });
    return this;
  }

  /** Queue a fault for the next matching request(s). */
  fail(fault: Fault): this {
    // `times: undefined` must still mean once; spreading it over the default made the fault permanent (NaN count).
    this.faults.push({ ...fault, times: fault.times ?? 1 });
    return this;
  }

  /** Delay every answer by `ms` (0 turns it off). */
  latency(ms: number): this {
    this.baseLatencyMs = ms;
    return this;
  }

  callsTo(method: string, path?: string | RegExp): RecordedCall[] {
    return this.calls.filter(
      (c) =>
        c.method === method.toUpperCase() &&
        (path === undefined || (typeof path === 'string' ? c.path === path : path.test(c.path))),
    );
  }

  /** Resolves with the first recorded call (past or future) that matches; rejects after `timeoutMs`. */
  waitForCall(predicate: (call: RecordedCall) => boolean, timeoutMs = 5000): Promise<RecordedCall> {
    const seen = this.calls.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const onCall = (call: RecordedCall): void => {
        if (!predicate(call)) return;
        clearTimeout(timer);
        this.events.off('call', onCall);
        resolve(call);
      };
      const timer = setTimeout(() => {
        this.events.off('call', onCall);
        reject(new Error(`${this.name} fake: no matching call within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on('call', onCall);
    });
  }

  reset(): void {
    this.calls.length = 0;
    this.faults.length = 0;
    this.baseLatencyMs = 0;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const rawBody = Buffer.concat(chunks);
        const request: FakeRequest = {
          method: (req.method ?? 'GET').toUpperCase(),
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          rawBody,
          body: parseBody(rawBody, req.headers['content-type']),
          params: {},
        };
        this.answer(request, res).catch((error: unknown) => {
          res.statusCode = 500;
          res.end(JSON.stringify({ fake_error: String(error) }));
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.address = `http://127.0.0.1:${port}`;
    return this.address;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private takeFault(req: FakeRequest): Fault | undefined {
    const index = this.faults.findIndex((f) => !f.match || f.match(req));
    if (index === -1) return undefined;
    const fault = this.faults[index]!;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private async answer(req: FakeRequest, res: ServerResponse): Promise<void> {
    const fault = this.takeFault(req);
    const delay = this.baseLatencyMs + (fault?.delayMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));

    let response: FakeResponse;
    if (fault?.status) {
      response = {
        status: fault.status,
        headers: {
          ...(fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}),
          ...fault.headers,
        },
        body: fault.body ?? { error: `injected ${fault.status}` },
      };
    } else {
      response = await this.dispatch(req);
    }
    const status = response.status ?? 200;
    this.record(req, status);
    await this.write(res, status, response);
  }

  private async dispatch(req: FakeRequest): Promise<FakeResponse> {
    for (const route of this.routes) {
      if (route.method !== req.method && route.method !== '*') continue;
      const match = route.pattern.exec(req.path);
      if (!match) continue;
      route.keys.forEach((key, i) => (req.params[key] = decodeURIComponent(match[i + 1] ?? '')));
      return route.handler(req);
    }
    return { status: 404, body: { message: `${this.name} fake has no route for ${req.method} ${req.path}` } };
  }

  private record(req: FakeRequest, status: number): void {
    const call: RecordedCall = { ...req, status, at: Date.now() };
    this.calls.push(call);
    this.events.emit('call', call);
  }

  private async write(res: ServerResponse, status: number, response: FakeResponse): Promise<void> {
    const headers = { ...response.headers };
    if (response.dropAfterChunks !== undefined) {
      await this.writeThenDrop(res, status, response, headers);
      return;
    }
    if (response.stream) {
      res.writeHead(status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
      for (const chunk of response.stream) {
        res.write(chunk);
        if (response.chunkDelayMs) await new Promise((r) => setTimeout(r, response.chunkDelayMs));
      }
      res.end();
      return;
    }
    if (response.raw !== undefined) {
      res.writeHead(status, headers);
      res.end(response.raw);
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(response.body === undefined ? '' : JSON.stringify(response.body));
  }

  private async writeThenDrop(res: ServerResponse, status: number, response: FakeResponse, headers: Record<string, string>): Promise<void> {
    if (!response.stream) {
      res.socket?.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    res.flushHeaders();
    for (const chunk of response.stream.slice(0, response.dropAfterChunks)) {
      // Wait for each write to reach the socket: destroying it with data still buffered would lose those frames.
      await new Promise<void>((resolve, reject) => res.write(chunk, (error) => (error ? reject(error) : resolve())));
      if (response.chunkDelayMs) await new Promise((r) => setTimeout(r, response.chunkDelayMs));
    }
    res.socket?.destroy();
  }
}
