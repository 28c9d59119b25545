import { appendAudit, auditForRun, type AuditRecord } from '../db/audit-log.ts';
import type { Pool } from '../db/pool.ts';

/** One step of a run that must happen once (a Slack post, a ticket comment), named by action and key. */
export interface RunStep {
  action: string;
  /** Tells repeats of the action apart: the head SHA, `staging:<sha>`, … */
  key: string;
  gate?: string;
  headSha?: string;
  score?: number;
}

function keyOf(entry: AuditRecord): unknown {
  return (entry.detail as { key?: unknown } | null)?.key;
}

/** The first audit entry recording `step` for the run, if any. */
export async function recordedStep(pool: Pool, runId: string, step: Pick<RunStep, 'action' | 'key'>): Promise<AuditRecord | undefined> {
  return (await auditForRun(pool, runId)).find((entry) => entry.action === step.action && keyOf(entry) === step.key);
}

/**
 * Does `work` unless the audit log already records `step` for the run, then records it with what
 * `work` returned. A redelivered job skips what its first attempt finished; only a crash between
 * the work and its record repeats it. Returns whether `work` ran.
 */
export async function oncePerRun(
  pool: Pool, runId: string, step: RunStep, work: () => Promise<Record<string, unknown> | void>,
): Promise<boolean> {
  if (await recordedStep(pool, runId, step)) return false;
  const detail = (await work()) ?? {};
  await appendAudit(pool, {
    runId, actor: 'baton', action: step.action, detail: { ...detail, key: step.key },
    gate: step.gate, headSha: step.headSha, score: step.score,
  });
  return true;
}
