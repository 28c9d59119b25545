import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { FakeServer, type FakeRequest, type FakeResponse } from './fake-server.ts';
import { slackToken } from './slack-call.ts';
import { SLACK_DEFAULTS } from './slack-defaults.ts';

/** The kinds of envelope Slack sends over Socket Mode. */
export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketEnvelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
}

/** An acknowledgement the app sent back: `{ envelope_id, payload? }`, and on which connection. */
export interface SocketAck {
  envelope_id: string;
  payload: Record<string, unknown> | undefined;
  connection: number;
}

/** One WebSocket the app opened with a ticket from apps.connections.open. */
export interface SocketConnection {
  id: number;
  ticket: string;
  /** The hello was sent: from here on Slack delivers envelopes on it. */
  hello: boolean;
  /** Set when the socket closed, by either side, with the close code. */
  closedWith: number | undefined;
}

export interface FakeSocketModeOptions {
  /** The app-level token apps.connections.open accepts (xapp-…). */
  appToken: string;
  /** The Web API that answers every other method (a FakeSlack's apiUrl); apps.connections.open is answered here. */
  forwardTo: string;
  appId?: string;
}

/**
 * Slack's Socket Mode for Bolt's SocketModeReceiver in tests. It stands in front of a Web API fake
 * (SLACK_API_URL points here): apps.connections.open, with the app-level token, answers the URL of a
 * local WebSocket server with a one-time ticket, and every other method is forwarded unchanged. On the
 * socket it speaks Slack's protocol: a hello on connect, envelopes delivered with `deliver`, acks
 * `{ envelope_id, payload }` recorded and matched to what was delivered (anything else is a stray),
 * and `drop` to end a connection the ways Slack does, after which the client must open a new one.
 */
export class FakeSocketMode extends FakeServer {
  readonly appToken: string;
  readonly appId: string;
  readonly connections: SocketConnection[] = [];
  readonly acks: SocketAck[] = [];
  /** Messages from the app that were not the ack of an envelope delivered and not yet acked. */
  readonly strays: unknown[] = [];
  private readonly forwardTo: string;
  private readonly tickets = new Set<string>();
  private readonly pending = new Map<string, SocketEnvelope>();
  private readonly sockets = new Map<number, WebSocket>();
  private readonly changes = new EventEmitter();
  private wss: WebSocketServer | undefined;
  private wsUrl = '';
  private issued = 0;

  constructor(options: FakeSocketModeOptions) {
    super('slack-socket-mode');
    this.appToken = options.appToken;
    this.appId = options.appId ?? SLACK_DEFAULTS.appId;
    this.forwardTo = options.forwardTo.endsWith('/') ? options.forwardTo : `${options.forwardTo}/`;
    this.route('POST', '/api/apps.connections.open', (req) => this.open(req));
    this.route('*', '/api/:method', (req) => this.forward(req));
  }

  /** What to give the app as SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** How many times apps.connections.open was answered with a URL. */
  get opens(): number {
    return this.issued;
  }

  override async start(): Promise<string> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: ({ req }: { req: IncomingMessage }) => this.admit(req) });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    wss.on('connection', (socket, req) => this.connected(socket, req));
    this.wss = wss;
    this.wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    return super.start();
  }

  override async stop(): Promise<void> {
    const wss = this.wss;
    this.wss = undefined;
    if (wss) {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
    await super.stop();
  }

  /** The open connection Slack delivers on: the newest one that got its hello and is not closed. */
  current(): SocketConnection | undefined {
    return this.connections.findLast((c) => c.hello && c.closedWith === undefined);
  }

  /** Resolves once `count` connections in all have been greeted (the first is 1). */
  waitForConnection(count: number, timeoutMs = 15_000): Promise<SocketConnection> {
    return this.waitFor(() => this.connections.filter((c) => c.hello)[count - 1], timeoutMs, `connection ${count}`);
  }

  /**
   * Sends an envelope on the current connection and resolves with the app's ack for it. Slack
   * redelivers an envelope that is not acked within a few seconds; here a missing ack is a failure.
   */
  async deliver(type: EnvelopeType, payload: Record<string, unknown>, options: { acceptsResponsePayload?: boolean; timeoutMs?: number } = {}): Promise<SocketAck> {
    const connection = this.current();
    const socket = connection && this.sockets.get(connection.id);
    if (!connection || !socket) throw new Error('slack-socket-mode fake: no open connection to deliver on');
    const envelope: SocketEnvelope = {
      envelope_id: randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
      type,
      payload,
      // Slack sets it for slash commands and the interactions whose ack may carry a response.
      accepts_response_payload: options.acceptsResponsePayload ?? type !== 'events_api',
    };
    this.pending.set(envelope.envelope_id, envelope);
    socket.send(JSON.stringify(envelope));
    return this.waitFor(() => this.acks.find((a) => a.envelope_id === envelope.envelope_id), options.timeoutMs ?? 5000, `the ack of ${type} envelope ${envelope.envelope_id}`);
  }

  /**
   * Ends the current connection as Slack does: `refresh` sends `{ type: 'disconnect' }` and lets the
   * client close; `close` is a close frame from the server; `terminate` cuts the TCP connection.
   */
  drop(how: 'refresh' | 'close' | 'terminate' = 'close'): SocketConnection {
    const connection = this.current();
    const socket = connection && this.sockets.get(connection.id);
    if (!connection || !socket) throw new Error('slack-socket-mode fake: no open connection to drop');
    if (how === 'refresh') socket.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'applink-fake' } }));
    else if (how === 'close') socket.close(1001, 'going away');
    else socket.terminate();
    return connection;
  }

  /** Resolves once that connection is closed, whoever closed it. */
  waitForClose(connection: SocketConnection, timeoutMs = 15_000): Promise<number> {
    return this.waitFor(() => connection.closedWith, timeoutMs, `connection ${connection.id} to close`);
  }

  /** Slack answers apps.connections.open only for an app-level token, with a URL good for one connection. */
  private open(req: FakeRequest): FakeResponse {
    const token = slackToken(req);
    if (token === undefined) return { body: { ok: false, error: 'not_authed' } };
    if (!token.startsWith('xapp-')) return { body: { ok: false, error: 'not_allowed_token_type' } };
    if (token !== this.appToken) return { body: { ok: false, error: 'invalid_auth' } };
    const ticket = randomBytes(16).toString('hex');
    this.tickets.add(ticket);
    this.issued += 1;
    return { body: { ok: true, url: `${this.wsUrl}/link/?ticket=${ticket}&app_id=${this.appId}` } };
  }

  /** Every other method goes to the Web API fake as it came, token and body included. */
  private async forward(req: FakeRequest): Promise<FakeResponse> {
    const target = new URL(req.path.slice('/api/'.length) + (req.query.size ? `?${req.query.toString()}` : ''), this.forwardTo);
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const response = await fetch(target, { method: req.method, headers, ...(hasBody ? { body: new Uint8Array(req.rawBody) } : {}) });
    const contentType = response.headers.get('content-type');
    return {
      status: response.status,
      headers: contentType ? { 'content-type': contentType } : {},
      raw: Buffer.from(await response.arrayBuffer()),
    };
  }

  /** Only a ticket apps.connections.open handed out opens a socket, and only once. */
  private admit(req: IncomingMessage): boolean {
    const ticket = new URL(req.url ?? '/', 'ws://fake').searchParams.get('ticket') ?? '';
    return this.tickets.delete(ticket);
  }

  private connected(socket: WebSocket, req: IncomingMessage): void {
    const ticket = new URL(req.url ?? '/', 'ws://fake').searchParams.get('ticket') ?? '';
    const connection: SocketConnection = { id: this.connections.length + 1, ticket, hello: false, closedWith: undefined };
    this.connections.push(connection);
    this.sockets.set(connection.id, socket);
    socket.on('message', (data, isBinary) => this.received(connection, data, isBinary));
    socket.on('close', (code) => {
      connection.closedWith = code;
      this.sockets.delete(connection.id);
      this.changes.emit('change');
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.connections.filter((c) => c.closedWith === undefined).length,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    connection.hello = true;
    this.changes.emit('change');
  }

  private received(connection: SocketConnection, data: RawData, isBinary: boolean): void {
    const text = isBinary ? undefined : rawText(data);
    let message: unknown;
    try {
      message = text === undefined ? undefined : JSON.parse(text);
    } catch {
      message = undefined;
    }
    const ack = message as { envelope_id?: unknown; payload?: unknown } | undefined;
    const id = typeof ack?.envelope_id === 'string' ? ack.envelope_id : undefined;
    const payload = ack?.payload;
    const payloadOk = payload === undefined || (typeof payload === 'object' && payload !== null && !Array.isArray(payload));
    if (id === undefined || !this.pending.has(id) || !payloadOk) {
      this.strays.push(message ?? text ?? data);
    } else {
      this.pending.delete(id);
      this.acks.push({ envelope_id: id, payload: payload as Record<string, unknown> | undefined, connection: connection.id });
    }
    this.changes.emit('change');
  }

  private waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const onChange = (): void => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.changes.off('change', onChange);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.changes.off('change', onChange);
        reject(new Error(`slack-socket-mode fake: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.changes.on('change', onChange);
    });
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
