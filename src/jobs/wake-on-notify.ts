import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../logger.ts';

/** A connected client that can LISTEN: pg.Client, or anything with the same few members. */
export type ListenClient = Pick<pg.Client, 'query' | 'on' | 'end'> & { readonly processID?: number | null };

export interface WakeOnNotifyOptions {
  /** Opens a fresh connection of its own (never a pooled one: a LISTEN belongs to its session). */
  connect: () => Promise<ListenClient>;
  channel: string;
  /** Sends `pg_notify(channel, payload)` on another connection, to learn whether this one hears it. */
  notify: (channel: string, payload: string) => Promise<void>;
  /** A payload heard on the channel (the probe's own excluded). */
  onWake: (payload: string) => void;
  /** The channel is heard again after an outage: jobs sent meanwhile were not announced. */
  onResume: () => void;
  log: Logger;
  pollIntervalSeconds: number;
  /** How long the first start waits for its own probe before it settles for polling. */
  probeTimeoutMs?: number;
  /** First reconnect delay; it doubles up to 30 s. */
  reconnectDelayMs?: number;
}

export interface WakeOnNotify {
  /** Whether a listener is connected and hears the channel right now. */
  readonly listening: boolean;
  stop(): Promise<void>;
}

const MAX_RECONNECT_DELAY_MS = 30_000;

/**
 * Holds one LISTEN connection and calls `onWake` for each notification. On a database where a
 * second connection does not hear notifications (PGlite behind pglite-socket is one shared
 * session: a NOTIFY goes to whichever socket ran the query), it logs one info line and stops;
 * polling stays. A dropped connection is reopened with backoff, with one warn line per outage.
 */
export function startWakeOnNotify(options: WakeOnNotifyOptions): WakeOnNotify {
  const probeTimeoutMs = options.probeTimeoutMs ?? 2000;
  const firstDelayMs = options.reconnectDelayMs ?? 1000;
  let client: ListenClient | undefined;
  let listening = false;
  let stopped = false;
  let outage = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let heardProbe: (() => void) | undefined;
  const probe = `probe:${randomUUID()}`;

  async function open(): Promise<ListenClient> {
    const next = await options.connect();
    let lost = false;
    const onLost = (error?: Error): void => {
      if (lost) return;
      lost = true;
      if (client === next) {
        client = undefined;
        listening = false;
      }
      if (stopped) return;
      if (!outage) {
        outage = true;
        options.log.warn(
          { err: error, channel: options.channel, pollIntervalSeconds: options.pollIntervalSeconds },
          'queue wake-up connection lost; workers poll until it is back',
        );
      }
      next.end().catch((endError: unknown) => options.log.debug({ err: endError }, 'closing the lost wake-up connection failed'));
      scheduleReconnect(firstDelayMs);
    };
    // pg emits 'error' then 'end' for a terminated backend; an unhandled 'error' would crash the process.
    next.on('error', onLost);
    next.on('end', () => onLost());
    next.on('notification', (message: pg.Notification) => {
      if (message.channel !== options.channel || message.payload === undefined) return;
      if (message.payload === probe) heardProbe?.();
      else options.onWake(message.payload);
    });
    await next.query(`LISTEN "${options.channel.replaceAll('"', '""')}"`);
    return next;
  }

  function scheduleReconnect(delayMs: number): void {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void reconnect(delayMs);
    }, delayMs);
    retryTimer.unref();
  }

  async function reconnect(delayMs: number): Promise<void> {
    try {
      const next = await open();
      if (stopped) return void (await next.end());
      client = next;
      listening = true;
      outage = false;
      options.log.info({ channel: options.channel }, 'queue wake-up connection restored');
      options.onResume();
    } catch (error) {
      options.log.debug({ err: error }, 'queue wake-up connection: reconnect failed, trying again');
      scheduleReconnect(Math.min(delayMs * 2, MAX_RECONNECT_DELAY_MS));
    }
  }

  async function first(): Promise<void> {
    let opened: ListenClient;
    try {
      opened = await open();
    } catch (error) {
      if (stopped) return;
      outage = true;
      options.log.warn({ err: error, channel: options.channel }, 'queue wake-up connection failed; workers poll until it opens');
      scheduleReconnect(firstDelayMs);
      return;
    }
    const heard = new Promise<boolean>((resolve) => {
      heardProbe = () => resolve(true);
      setTimeout(() => resolve(false), probeTimeoutMs).unref();
    });
    try {
      await options.notify(options.channel, probe);
    } catch (error) {
      options.log.warn({ err: error, channel: options.channel }, 'queue wake-ups could not be tested; workers poll');
      stopped = true;
      return void (await opened.end());
    }
    const works = await heard;
    heardProbe = undefined;
    // Stopped meanwhile, or the connection dropped during the probe (a reconnect is under way).
    if (stopped || outage) return void (await opened.end());
    if (!works) {
      stopped = true;
      options.log.info(
        { pollIntervalSeconds: options.pollIntervalSeconds },
        'this database does not deliver NOTIFY to a second connection (the embedded PGlite is one shared session): ' +
          "jobs from other processes are picked up by polling; this process's own jobs still start at once",
      );
      // The shared session would otherwise go on listening, for no connection in particular.
      await opened.query('UNLISTEN *').catch((error: unknown) => options.log.debug({ err: error }, 'UNLISTEN failed'));
      await opened.end();
      return;
    }
    client = opened;
    listening = true;
  }

  void first().catch((error: unknown) => {
    options.log.warn({ err: error }, 'queue wake-ups could not start; workers poll');
  });

  return {
    get listening() {
      return listening;
    },
    async stop() {
      stopped = true;
      listening = false;
      clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      await current?.end();
    },
  };
}
