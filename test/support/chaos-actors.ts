import { activeJobs, type HeldJob } from './chaos-figures.ts';
import type { ChaosRandom } from './chaos-random.ts';
import { chaosTicket, type ChaosWorld } from './chaos-world.ts';

/*
 * The people and the monkey around the chaos test's Baton: a requester asking for every ticket,
 * an approver approving every card, and a monkey SIGKILLing processes. Each runs until `stop()`
 * says the test is over, and resolves with what it did.
 */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sleeps `ms`, or less once `stopped()`: the monkey's long pauses must not hold the test's end. */
async function sleepUnless(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until) await sleep(Math.min(100, until - Date.now()));
}

export interface Actor<T> {
  /** Resolves with the actor's tally once it has stopped (or threw). */
  done: Promise<T>;
}

/**
 * `/agent fix` for each ticket in turn, one every `paceMs`, so requests keep arriving while
 * processes die. A request that dies with the web process (no answer, or not a 200 that queued
 * it) is sent again once a web process is back, as a person would type it again. Gives up once
 * `stopped()`.
 */
export function startRequester(world: ChaosWorld, paceMs: number, stopped: () => boolean): Actor<{ retried: number }> {
  const done = (async () => {
    let retried = 0;
    const sent: Promise<void>[] = [];
    for (let i = 0; i < world.runs && !stopped(); i += 1) {
      const key = chaosTicket(i);
      sent.push((async () => {
        while (!stopped()) {
          const answer = await world.fix(key).catch((error: unknown) => ({ status: 0, json: { text: String(error) } }));
          const text = (answer.json as { text?: string } | undefined)?.text ?? '';
          if (answer.status === 200 && /Queued|already/i.test(text)) return;
          retried += 1;
          await sleep(250);
        }
      })());
      await sleep(paceMs);
    }
    await Promise.all(sent);
    return { retried };
  })();
  return { done };
}

/**
 * Clicks Approve, as the approver, on each run's card once it is posted. A click lost with the web
 * process (no answer, or answered but nothing decided) is clicked again while the card still
 * offers Approve, every `againAfterMs`.
 */
export function startApprover(world: ChaosWorld, stopped: () => boolean, againAfterMs = 5_000): Actor<{ clicks: number; unanswered: number }> {
  const done = (async () => {
    const tally = { clicks: 0, unanswered: 0 };
    const lastClick = new Map<string, number>();
    while (!stopped()) {
      const { rows } = await world.db.pool.query<{ id: string; thread_ts: string }>("SELECT id, thread_ts FROM runs WHERE status = 'awaiting_approval'");
      for (const run of rows) {
        const card = world.approveCard(run.thread_ts);
        if (!card || Date.now() - (lastClick.get(run.id) ?? 0) < againAfterMs) continue;
        lastClick.set(run.id, Date.now());
        tally.clicks += 1;
        const answer = await world.approve(card).catch(() => ({ status: 0 }));
        if (answer.status !== 200) tally.unanswered += 1;
      }
      await sleep(200);
    }
    return tally;
  })();
  return { done };
}

export interface Kill {
  n: number;
  slot: string;
  atMs: number;
  /** When its replacement said it was up. */
  upMs: number | undefined;
  /** Every job active right after the kill (the dead process's among them). */
  activeAfter: HeldJob[];
}

/**
 * Up to `kills` times: waits a random while, SIGKILLs a random process, keeps it down for a
 * random pause, and starts it again. Stops early once `stopped()`.
 */
export function startMonkey(
  world: ChaosWorld,
  random: ChaosRandom,
  plan: { kills: number; firstAfterMs: [number, number]; gapMs: [number, number]; downMs: [number, number] },
  stopped: () => boolean,
): Actor<Kill[]> & { kills: Kill[] } {
  const kills: Kill[] = [];
  const done = (async () => {
    await sleepUnless(random.between(...plan.firstAfterMs), stopped);
    while (kills.length < plan.kills && !stopped()) {
      const slot = random.pick(world.slots);
      const downMs = random.between(...plan.downMs);
      const atMs = Date.now();
      await world.kill(slot);
      const kill: Kill = { n: kills.length + 1, slot: slot.name, atMs, upMs: undefined, activeAfter: await activeJobs(world.db.pool, world.jobs) };
      kills.push(kill);
      await sleep(downMs);
      await world.start(slot);
      kill.upMs = Date.now();
      await sleepUnless(random.between(...plan.gapMs), stopped);
    }
    return kills;
  })();
  return { done, kills };
}
