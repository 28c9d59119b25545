import type { TicketPriority } from './ticket.ts';

/** Minutes of head start per ticket priority: baton.yml `scheduling.head_start_minutes`. */
export type HeadStart = Record<TicketPriority, number>;

// Minutes are counted from here so the value fits pg-boss's integer priority for millennia.
const EPOCH_MS = Date.UTC(2025, 0, 1);

/**
 * Priority with aging, as a virtual deadline: a run is due `headStart[priority]` minutes after it
 * arrived, and pg-boss (which takes the highest priority first) gets the negated deadline. An
 * urgent ticket overtakes a low one that arrived less than `low − urgent` minutes before it, and
 * no later one: so a waiting ticket can only be overtaken by tickets that arrive within a fixed
 * window after it, and it starts once those are done, however long the stream of urgent ones.
 * Nothing has to rewrite queued jobs for them to age.
 */
export function jobPriority(priority: TicketPriority, headStart: HeadStart, now: number = Date.now()): number {
  const arrivedMinute = Math.floor((now - EPOCH_MS) / 60_000);
  return -(arrivedMinute + headStart[priority]);
}
