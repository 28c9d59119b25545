import { setTimeout as sleep } from 'node:timers/promises';
import type { Workspace } from '../../src/integrations/git/workspace.ts';
import type { AgentDatabase } from './agent-database.ts';
import type { AgentWorld } from './agent-world.ts';

export interface ConcurrentRss {
  runs: number;
  /** The process's RSS idle just before the runs started (median of a few samples, after a pause). */
  baselineBytes: number;
  /** The highest RSS sampled while the runs went on. */
  peakBytes: number;
  /** The kernel's high-water mark for the process at the end (covers peaks between samples, and anything before). */
  maxRssBytes: number;
  /** Heap in use at the RSS peak. */
  heapAtPeakBytes: number;
  samples: number;
  seconds: number;
  outcomes: Record<string, number>;
  modelCalls: number;
}

const rss = (): number => process.memoryUsage.rss();

/**
 * `workspaces.length` scripted runCoder calls at once, all on one model client (as one Baton
 * process shares it) and one database pool, each on its own worktree, with the process's RSS
 * sampled every `sampleMs` against its idle RSS just before.
 */
export async function measureConcurrentRss(
  world: AgentWorld,
  options: { workspaces: Workspace[]; modelUrl: string; db: AgentDatabase | undefined; sampleMs: number },
): Promise<ConcurrentRss> {
  const model = world.modelClient(options.modelUrl);
  const runIds = options.db ? await Promise.all(options.workspaces.map((w) => options.db!.newRun(world.ticketKeyOf(w)))) : [];

  await sleep(1000);
  const idle: number[] = [];
  for (let i = 0; i < 5; i++) {
    idle.push(rss());
    await sleep(100);
  }
  idle.sort((a, b) => a - b);
  const baselineBytes = idle[2]!;

  let peakBytes = baselineBytes;
  let heapAtPeakBytes = process.memoryUsage().heapUsed;
  let samples = 0;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    samples += 1;
    if (now.rss > peakBytes) {
      peakBytes = now.rss;
      heapAtPeakBytes = now.heapUsed;
    }
  }, options.sampleMs);
  let modelCalls = 0;
  const started = performance.now();
  try {
    const results = await Promise.all(
      options.workspaces.map((workspace, i) =>
        world.runCoder({
          workspace,
          model,
          onModelCall: async (call) => {
            modelCalls += 1;
            if (options.db) await options.db.recordCall(runIds[i]!, call);
          },
        }),
      ),
    );
    const outcomes: Record<string, number> = {};
    for (const r of results) {
      const kind = r.outcome.kind === 'failed' ? `failed: ${r.outcome.code}` : r.outcome.kind;
      outcomes[kind] = (outcomes[kind] ?? 0) + 1;
    }
    return {
      runs: options.workspaces.length,
      baselineBytes,
      peakBytes: Math.max(peakBytes, rss()),
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      heapAtPeakBytes,
      samples,
      seconds: (performance.now() - started) / 1000,
      outcomes,
      modelCalls,
    };
  } finally {
    clearInterval(timer);
  }
}
