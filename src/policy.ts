import { z } from 'zod';
import type { TicketPriority } from './domain/ticket.ts';

/**
 * The schema of `baton.yml`: policy, never secrets. config.ts reads the file and checks what
 * spans it and the environment (a Linear team needs LINEAR_API_KEY, a team's repo must be listed).
 */

const TICKET_PREFIX = /^[A-Z][A-Z0-9_]{0,19}$/;
const REPO_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

const intakeSchema = z
  .object({
    /** A run starts when the ticket gains this label… */
    label: z.string().trim().min(1).optional(),
    /** …or moves to this state (Linear workflow state / Jira status), matched without case. */
    state: z.string().trim().min(1).optional(),
  })
  .refine((rule) => rule.label !== undefined || rule.state !== undefined, {
    message: 'give a label, a state, or both; an empty rule would start a run for every ticket',
  });

const teamSchema = z.object({
  tracker: z.enum(['linear', 'jira']),
  /** Where runs of this team post: a channel ID (C…) is safest, since names can change. */
  channel: z.string().trim().min(1),
  /** The repository (a key of `repos`) this team's tickets are fixed in. */
  repo: z.string().regex(REPO_NAME, 'must be owner/name').optional(),
  /** Per-label repositories, checked before `repo`: `{ frontend: acme/web }`. */
  label_repos: z.record(z.string().min(1), z.string().regex(REPO_NAME, 'must be owner/name')).default({}),
  /** Which ticket events start a run; without it, only `/agent fix` does. */
  intake: intakeSchema.optional(),
  states: z
    .object({
      /** Where the ticket moves once its PR is open. */
      in_review: z.string().trim().min(1).default('In Review'),
    })
    .prefault({}),
});

const repoSchema = z.object({
  base: z.string().trim().min(1).default('main'),
  install: z.string().trim().min(1).optional(),
  test: z.string().trim().min(1).optional(),
  deploy: z
    .object({
      /** Workflow file names (or ids) dispatched with `ref` and `environment` inputs. */
      staging: z.string().trim().min(1).optional(),
      production: z.string().trim().min(1).optional(),
    })
    .prefault({}),
  merge_method: z.enum(['merge', 'squash', 'rebase']).default('squash'),
  draft: z.boolean().default(false),
  labels: z.array(z.string().trim().min(1)).default(['baton']),
  /** Checks that must pass before a merge even if GitHub's branch protection does not require them. */
  required_checks: z.array(z.string().trim().min(1)).default([]),
});

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
      })
      .prefault({}),
    teams: z
      .record(z.string().regex(TICKET_PREFIX, 'a ticket key prefix: upper-case letters and digits, e.g. ENG'), teamSchema)
      .default({}),
    repos: z.record(z.string().regex(REPO_NAME, 'must be owner/name'), repoSchema).default({}),
  })
  .prefault({});

export type Policy = z.infer<typeof policySchema>;
export type TeamPolicy = z.infer<typeof teamSchema>;
export type RepoPolicy = z.infer<typeof repoSchema>;
export type IntakeRule = z.infer<typeof intakeSchema>;
