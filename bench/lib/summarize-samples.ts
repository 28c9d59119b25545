import { checkQueuedReply } from './check-queued-reply.ts';
import type { Sample } from './run-open-loop.ts';

export interface LatencySummary {
  sent: number;
  non200: number;
  /** Responses that were not a 200 with an ephemeral "Queued <key>" reply. */
  mismatches: number;
  mismatchExamples: string[];
  p50: number;
  p99: number;
  max: number;
  mean: number;
  /** Worst lateness of a send against its schedule: large values mean the generator fell behind. */
  maxSendLagMs: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarizeSamples(samples: Sample[]): LatencySummary {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const problems = samples.map(checkQueuedReply).filter((p): p is string => p !== undefined);
  return {
    sent: samples.length,
    non200: samples.filter((s) => s.status !== 200).length,
    mismatches: problems.length,
    mismatchExamples: problems.slice(0, 5),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    mean: sorted.reduce((sum, ms) => sum + ms, 0) / (sorted.length || 1),
    maxSendLagMs: Math.max(0, ...samples.map((s) => s.lagMs)),
  };
}
