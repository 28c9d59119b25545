import { z } from 'zod';

const ticketPriority = z.enum(['urgent', 'high', 'medium', 'low', 'none']);
const ticketState = z.object({ name: z.string(), category: z.enum(['todo', 'in_progress', 'done', 'cancelled']) });

/** A TicketEvent (src/domain/ticket-event.ts), checked again when a worker takes it. */
const ticketEvent = z.object({
  kind: z.enum(['created', 'updated', 'deleted']),
  source: z.enum(['linear', 'jira', 'local']),
  ticketKey: z.string().min(1),
  team: z.string(),
  labelsAdded: z.array(z.string()),
  stateChangedTo: ticketState.optional(),
  descriptionChanged: z.boolean(),
  labels: z.array(z.string()),
  state: ticketState,
  priority: ticketPriority,
});

/** A change Baton proved: where its worktree is, and its diff (the run keeps only the stats). */
const provenChange = z.object({
  runId: z.uuid(),
  /** The run's worktree, where run.fix left the proven commit (src/integrations/git/workspace.ts). */
  workspace: z.object({
    runId: z.uuid(),
    path: z.string().min(1),
    branch: z.string().min(1),
    baseSha: z.string().min(1),
    repo: z.object({ owner: z.string(), name: z.string(), cloneUrl: z.string(), baseBranch: z.string() }),
  }),
  /** The proven diff against the base, for the reviewers, the preview and the file. */
  diff: z.string(),
});

/**
 * The one table of queues: name → payload schema → retry, expiry and policy. `enqueue` and
 * `work` are typed from it, and `createQueue` creates exactly these queues at start-up.
 */
export const QUEUES = {
  'run.fix': {
    payload: z.object({ runId: z.uuid() }),
    options: {
      policy: 'standard',
      retryLimit: 5,
      retryDelay: 5,
      retryBackoff: true,
      // A job still active after this is presumed lost with its worker and is retried. main.ts sets
      // it from agent.limits.minutes (runFixExpirySeconds); this is the default policy's figure. A
      // worker that died is noticed sooner by its lapsed agent lease (rescue-stranded-runs.ts).
      expireInSeconds: 65 * 60,
      retentionDays: 7,
    },
    // Threads open and tickets are fetched at this concurrency; agent work itself is capped
    // separately, across processes, by `scheduling.agent_concurrency` (src/jobs/with-agent-slot.ts).
    workers: 2,
  },
  // The three reviewers on the proven change, then the consensus per head SHA; then run.publish.
  // Safe to repeat: a stored consensus for the head is reused, not asked again.
  'run.review': {
    payload: provenChange,
    options: { policy: 'standard', retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 30 * 60, retentionDays: 7 },
    workers: 2,
  },
  // Push the proven change, open the PR, post the review card with its buttons and the diff: safe to
  // repeat (one PR, one card, one file).
  'run.publish': {
    payload: provenChange,
    options: { policy: 'standard', retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 15 * 60, retentionDays: 7 },
    workers: 1,
  },
  // An approved merge: only the approved SHA, only with the checks green. Enqueued with its approval row.
  'gate.merge': {
    payload: z.object({ runId: z.uuid(), headSha: z.string().min(7) }),
    options: { policy: 'standard', retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 15 * 60, retentionDays: 30 },
    workers: 1,
  },
  // The staging deploy after a merge (repos.<r>.deploy.staging), followed to its end.
  'deploy.staging': {
    payload: z.object({ runId: z.uuid(), sha: z.string().min(7) }),
    options: { policy: 'standard', retryLimit: 3, retryDelay: 10, retryBackoff: true, expireInSeconds: 90 * 60, retentionDays: 30 },
    workers: 1,
  },
  // The production deploy: only through an approval row for the production gate.
  'deploy.production': {
    payload: z.object({ runId: z.uuid(), sha: z.string().min(7) }),
    options: { policy: 'standard', retryLimit: 3, retryDelay: 10, retryBackoff: true, expireInSeconds: 90 * 60, retentionDays: 30 },
    workers: 1,
  },
  // A verified, deduplicated webhook delivery, already translated to a domain event.
  'intake.event': {
    payload: z.discriminatedUnion('source', [
      z.object({ source: z.literal('linear'), deliveryId: z.string(), event: ticketEvent }),
      z.object({ source: z.literal('jira'), deliveryId: z.string(), event: ticketEvent }),
      // A person's change on a local ticket (src/local/ticket-routes.ts), told like a tracker webhook.
      z.object({ source: z.literal('local'), deliveryId: z.string(), event: ticketEvent }),
      z.object({ source: z.literal('github'), deliveryId: z.string(), event: z.looseObject({ kind: z.string() }) }),
    ]),
    options: { policy: 'standard', retryLimit: 8, retryDelay: 5, retryBackoff: true, expireInSeconds: 5 * 60, retentionDays: 7 },
    workers: 2,
  },
  // The schedule's tick: poll trackers for ready and closed tickets, GitHub for PR state.
  'intake.reconcile': {
    payload: z.object({}).loose(),
    // Stately: at most one tick waiting and one running, so a slow tracker cannot pile them up.
    options: { policy: 'stately', retryLimit: 0, retryDelay: 5, retryBackoff: false, expireInSeconds: 10 * 60, retentionDays: 1 },
    workers: 1,
  },
} as const satisfies Record<string, QueueDefinition>;

export interface QueueDefinition {
  payload: z.ZodType;
  options: {
    policy: 'standard' | 'short' | 'singleton' | 'stately';
    retryLimit: number;
    retryDelay: number;
    retryBackoff: boolean;
    expireInSeconds: number;
    retentionDays: number;
  };
  /** Concurrent jobs per process for this queue. */
  workers: number;
}

export type QueueName = keyof typeof QUEUES;
export type Payload<N extends QueueName> = z.infer<(typeof QUEUES)[N]['payload']>;
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];
