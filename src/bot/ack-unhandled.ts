import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../logger.ts';

/** A few short fields that say what a payload was, for one log line (never the whole body). */
export function describePayload(body: Record<string, unknown>): Record<string, unknown> {
  const short = (value: unknown): string | undefined => (typeof value === 'string' ? value.slice(0, 80) : undefined);
  const event = body.event as { type?: unknown } | undefined;
  const actions = Array.isArray(body.actions) ? (body.actions as { action_id?: unknown }[]) : [];
  const view = body.view as { callback_id?: unknown } | undefined;
  return {
    type: short(body.type),
    command: short(body.command),
    eventType: short(event?.type),
    actionId: short(actions[0]?.action_id),
    callbackId: short(body.callback_id) ?? short(view?.callback_id),
  };
}

/**
 * Wraps a Bolt receiver so that a payload no listener acknowledged is acknowledged as soon as Bolt
 * has run the listeners, and logged once at info. Bolt alone holds it until its 3 s timer fires,
 * then answers 404 with an error line: a button Baton did not draw, another app's slash command
 * or a new payload type are normal traffic for a Slack app, not failures. Listeners that ack
 * themselves (every one Baton registers) are untouched.
 */
export function ackUnhandled(inner: Receiver, log: Logger): Receiver {
  return {
    init(app: App) {
      const processEvent = async (event: ReceiverEvent): Promise<void> => {
        let acked = false;
        const ack: ReceiverEvent['ack'] = (response) => {
          acked = true;
          return event.ack(response);
        };
        await app.processEvent({ ...event, ack });
        if (acked) return;
        log.info(describePayload(event.body), 'Slack request acknowledged: nothing in Baton handles it');
        await event.ack();
      };
      // The receiver only ever calls processEvent on the app it is given.
      inner.init(Object.assign(Object.create(app) as App, { processEvent }));
    },
    start: (...args: unknown[]) => inner.start(...args),
    stop: (...args: unknown[]) => inner.stop(...args),
  };
}
