import type { Pool } from '../db/pool.ts';
import { getRun } from '../db/runs.ts';
import type { SlackClient } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { statusMessage } from '../bot/views/run-messages.ts';

export interface ThrottledStatus {
  /** Something changed: the status message is edited now, or once the interval since the last edit has passed. */
  poke(): void;
  /** Edits now if a poke is pending (the final state always shows), and stops the timer. */
  flush(): Promise<void>;
}

/**
 * Edits a run's one status message (chat.update) at most once per `intervalMs`, always ending on
 * the newest state: Slack allows about one update per second per channel, and an agent may finish
 * several steps and model calls a second. Never posts new messages. Failures are logged: the next
 * edit shows the same state anyway.
 */
export function throttledStatus(options: { pool: Pool; slack: SlackClient | undefined; runId: string; log: Logger; intervalMs?: number }): ThrottledStatus {
  const interval = options.intervalMs ?? 2000;
  let lastAt = 0;
  let pending = false;
  let timer: NodeJS.Timeout | undefined;
  let editing: Promise<void> = Promise.resolve();

  const edit = (): Promise<void> => {
    pending = false;
    lastAt = Date.now();
    editing = editing.then(async () => {
      const run = await getRun(options.pool, options.runId);
      if (!options.slack || !run?.channelId || !run.statusTs) return;
      await options.slack.updateMessage(run.channelId, run.statusTs, statusMessage(run));
    }).catch((error: unknown) => options.log.warn({ err: error }, 'could not edit the status message; the next edit will show the same state'));
    return editing;
  };

  return {
    poke() {
      pending = true;
      if (timer) return;
      const wait = Math.max(0, lastAt + interval - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        if (pending) void edit();
      }, wait);
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (pending) await edit();
      else await editing;
    },
  };
}
