import { z } from 'zod';
import type { TicketPriority } from './domain/ticket.ts';
import { agentSchema, type priceSchema } from './policy/agent-schema.ts';
import { gatesSchema, type repoGatesSchema } from './policy/gates-schema.ts';
import { outcomeGatesSchema } from './policy/outcome-gates-schema.ts';
import { REPO_NAME, repoSchema } from './policy/repo-schema.ts';
import { reviewSchema } from './policy/review-schema.ts';
import { sandboxSchema } from './policy/sandbox-schema.ts';
import { teamSchema, type intakeSchema } from './policy/team-schema.ts';

/**
 * The schema of `baton.yml`: policy, never secrets. config.ts reads the file and checks what
 * spans it and the environment (a Linear team needs LINEAR_API_KEY, a team's repo must be listed).
 * Its larger sections are in src/policy/; their types are exported here, since domain code may
 * import policy.ts and nothing else outside domain (eslint.config.js).
 */

const TICKET_PREFIX = /^[A-Z][A-Z0-9_]{0,19}$/;

// Minutes of head start each ticket priority gets over a later-arriving ticket (see job-priority.ts).
const headStartSchema = z
  .object({
    urgent: z.number().int().min(0).max(10_080).default(0),
    high: z.number().int().min(0).max(10_080).default(15),
    medium: z.number().int().min(0).max(10_080).default(60),
    low: z.number().int().min(0).max(10_080).default(240),
    none: z.number().int().min(0).max(10_080).default(240),
  } satisfies Record<TicketPriority, z.ZodType>)
  .prefault({});

export const policySchema = z
  .object({
    queue: z
      .object({
        poll_interval_seconds: z.number().min(0.5).max(60).default(2),
        shutdown_grace_seconds: z.number().int().min(0).max(3600).default(30),
        /** First retry delay of a failed job; each later retry waits about twice as long. */
        retry_delay_seconds: z.number().int().min(1).max(600).default(5),
      })
      .prefault({}),
    scheduling: z
      .object({
        /** Agent runs working at once, across every worker process. */
        agent_concurrency: z.number().int().min(1).max(64).default(2),
        /**
         * A working agent renews its slot's lease three times per this; a worker that dies is
         * noticed once the lease lapses, and its run is sent again on the reconcile tick after
         * about three quarters as long again.
         */
        agent_lease_seconds: z.number().int().min(10).max(3600).default(120),
        /** How often trackers are polled for ready tickets and closed ones (minutes, divides the hour). */
        reconcile_interval_minutes: z
          .number()
          .int()
          .min(1)
          .max(60)
          .refine((m) => 60 % m === 0, 'must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60)')
          .default(5),
        head_start_minutes: headStartSchema,
      })
      .prefault({}),
    webhooks: z
      .object({
        /** Larger bodies are refused with 413 before they are read in full. */
        max_body_kib: z.number().int().min(16).max(25_600).default(1024),
        /**
         * Sources whose deliveries are accepted unsigned while their secret is unset; without this a
         * source with no secret refuses every delivery. Only Jira: its webhook secret is optional,
         * and app-registered Jira webhooks carry none, while Linear signs every delivery and a
         * GitHub webhook can always be given a secret.
         */
        allow_unsigned: z
          .array(z.enum(['jira'], { error: 'only jira can be accepted unsigned (Linear signs every delivery; give the GitHub webhook a secret)' }))
          .default([]),
      })
      .prefault({}),
    teams: z
      .record(z.string().regex(TICKET_PREFIX, 'a ticket key prefix: upper-case letters and digits, e.g. ENG'), teamSchema)
      .default({}),
    repos: z.record(z.string().regex(REPO_NAME, 'must be owner/name'), repoSchema).default({}),
    agent: agentSchema,
    /** The three reviewer agents and the consensus over them; they use agent.models and agent.prices. */
    review: reviewSchema,
    sandbox: sandboxSchema,
    outcome_gates: outcomeGatesSchema,
    /** Who may approve a merge or a production deploy; they may also answer a run's budget prompt. */
    gates: gatesSchema,
  })
  .prefault({});

export type Policy = z.infer<typeof policySchema>;
export type TeamPolicy = z.infer<typeof teamSchema>;
export type RepoPolicy = z.infer<typeof repoSchema>;
export type IntakeRule = z.infer<typeof intakeSchema>;
export type AgentPolicy = z.infer<typeof agentSchema>;
export type SandboxPolicy = z.infer<typeof sandboxSchema>;
export type OutcomeGatesPolicy = z.infer<typeof outcomeGatesSchema>;
export type ModelPrice = z.infer<typeof priceSchema>;
export type GatesPolicy = z.infer<typeof gatesSchema>;
export type RepoGatesPolicy = z.infer<typeof repoGatesSchema>;
export type ReviewPolicy = z.infer<typeof reviewSchema>;
