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
  /** `local`: tickets kept in Baton's own database (local mode, `baton ticket add`). */
  tracker: z.enum(['linear', 'jira', 'local']),
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
      /** Where it moves once production succeeds, or at the merge when the repository has no deploy. */
      done: z.string().trim().min(1).default('Done'),
    })
    .prefault({}),
});

// Slack user ids (U…/W…); user-group ids (S…) are accepted here and resolved by the approval gates.
const approverSchema = z.string().regex(/^[UWS][A-Z0-9]{2,}$/, 'a Slack user id (U…) or user-group id (S…)');

const gatesSchema = z
  .object({
    merge: z
      .object({
        approvers: z.array(approverSchema).default([]),
        /** An approval request nobody answers expires after this. */
        expire_hours: z.number().int().min(1).max(24 * 30).default(72),
        /** Off by default; never covers production. */
        auto_approve: z.boolean().default(false),
      })
      .prefault({}),
    production: z.object({ approvers: z.array(approverSchema).default([]) }).prefault({}),
  })
  .prefault({});

/** A repository's own gates, laid over the top-level ones field by field (src/domain/approval-policy.ts gatesForRepo). */
const repoGatesSchema = z.object({
  merge: z
    .object({
      approvers: z.array(approverSchema).optional(),
      expire_hours: z.number().int().min(1).max(24 * 30).optional(),
      auto_approve: z.boolean().optional(),
    })
    .optional(),
  production: z.object({ approvers: z.array(approverSchema).optional() }).optional(),
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
      /** How often a dispatched deploy run is polled, and how long it may take before Baton stops waiting. */
      poll_seconds: z.number().min(0.05).max(600).default(15),
      timeout_minutes: z.number().min(0.1).max(24 * 60).default(60),
    })
    .prefault({}),
  merge_method: z.enum(['merge', 'squash', 'rebase']).default('squash'),
  draft: z.boolean().default(false),
  labels: z.array(z.string().trim().min(1)).default(['baton']),
  /** Checks that must pass before a merge even if GitHub's branch protection does not require them. */
  required_checks: z.array(z.string().trim().min(1)).default([]),
  /**
   * A git repository on this machine instead of GitHub (local mode): runs clone from it and push
   * their baton/* branch into it, the pull request is a page of Baton's, and an approved merge is
   * a real merge into `base` there.
   */
  path: z.string().trim().min(1).refine((p) => p.startsWith('/'), 'an absolute path').optional(),
  /** Where git clones from, when not derived from GITHUB_API_URL (src/domain/clone-url.ts): https://, http:// or file://. */
  clone_url: z.url({ protocol: /^(https?|file)$/ }).optional(),
  /** Who approves this repository's merges and deploys, over the top-level `gates`. */
  gates: repoGatesSchema.optional(),
  /** What a Reject does to the PR: close it (default), or leave it open for people to take over. */
  on_reject: z.enum(['close', 'leave_open']).default('close'),
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

// USD per million tokens. Prices change: keep the date they were read beside them.
const priceSchema = z.object({
  input: z.number().min(0),
  output: z.number().min(0),
  cache_write_5m: z.number().min(0),
  cache_write_1h: z.number().min(0),
  cache_read: z.number().min(0),
});

// Read from anthropic.com/pricing on this date; baton.yml may replace the whole table.
const DEFAULT_PRICES = {
  read_on: '2026-11-01',
  models: {
    'claude-sonnet-5-5': { input: 3, output: 15, cache_write_5m: 3.75, cache_write_1h: 6, cache_read: 0.3 },
    'claude-opus-5-5': { input: 5, output: 25, cache_write_5m: 6.25, cache_write_1h: 10, cache_read: 0.5 },
    'claude-haiku-5-5': { input: 1, output: 5, cache_write_5m: 1.25, cache_write_1h: 2, cache_read: 0.1 },
  },
};

const agentSchema = z
  .object({
    /** The first model is used; the others take over, in order, when it is overloaded past its retries or unknown. */
    models: z.array(z.string().trim().min(1)).min(1).default(['claude-sonnet-5-5', 'claude-opus-5-5']),
    prices: z
      .object({
        read_on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD'),
        models: z.record(z.string().min(1), priceSchema),
      })
      .default(DEFAULT_PRICES),
    /** Per model call. */
    max_tokens: z.number().int().min(256).max(128_000).default(16_000),
    limits: z
      .object({
        turns: z.number().int().min(1).max(1000).default(80),
        minutes: z.number().min(1).max(24 * 60).default(45),
        dollars: z.number().min(0.01).max(10_000).default(5),
        /** At this share of the dollar cap the run pauses and asks Continue / Stop in the thread. */
        ask_at_fraction: z.number().min(0.1).max(1).default(0.8),
        /** Continue raises the cap once, by this factor. */
        raise_factor: z.number().min(1.1).max(10).default(2),
        /** No reproducing test within this many turns: the agent asks the ticket's author instead. */
        reproduce_within_turns: z.number().int().min(1).max(1000).default(40),
        /** A failed outcome gate goes back to the agent at most this many times. */
        gate_attempts: z.number().int().min(0).max(20).default(3),
      })
      .prefault({}),
  })
  .prefault({});

const reviewSchema = z
  .object({
    /** The consensus weights; they must add up to 1. */
    weights: z
      .object({
        security: z.number().min(0).max(1).default(0.4),
        blast_radius: z.number().min(0).max(1).default(0.3),
        action_plan: z.number().min(0).max(1).default(0.3),
      })
      .prefault({})
      .refine((w) => Math.abs(w.security + w.blast_radius + w.action_plan - 1) < 1e-9, 'the three weights must add up to 1'),
    /** Model calls per reviewer (reading the worktree, then its answer). */
    max_turns: z.number().int().min(1).max(100).default(12),
    max_tokens: z.number().int().min(256).max(128_000).default(8_000),
  })
  .prefault({});

const sandboxSchema = z
  .object({
    /** Where bubblewrap cannot run: refuse agent runs (the safe default), or run unsandboxed with a warning in every thread. */
    when_unavailable: z.enum(['refuse', 'run_unsandboxed']).default('refuse'),
    /**
     * The install on the base commit (repos.<r>.install, the repository's own reviewed code, run once
     * before the agent starts, as CI would) may use the network. It then shares the HOST's network
     * namespace, loopback included: it can reach whatever listens on this host's 127.0.0.1 (the
     * PostgreSQL Baton uses, Baton's own port) and the cloud metadata address. Run Baton where that
     * is acceptable, or set false and vendor the dependencies. The agent's commands, the tests and
     * the offline re-install of a change that edits dependency manifests never have the network.
     */
    install_network: z.boolean().default(true),
    command_timeout_seconds: z.number().int().min(1).max(3600).default(120),
    test_timeout_seconds: z.number().int().min(1).max(7200).default(600),
    install_timeout_seconds: z.number().int().min(1).max(7200).default(900),
    /** Size of the tmpfs for /tmp and HOME. */
    tmpfs_mib: z.number().int().min(16).max(16_384).default(512),
    /** Output kept per command, head and tail. */
    output_kib: z.number().int().min(4).max(10_240).default(64),
    /** Extra variables passed into the sandbox by name with fixed values (never Baton's secrets). */
    env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string()).default({}),
  })
  .prefault({});

// Paths an agent's change may not touch unless the ticket carries `sensitive_label`.
const DEFAULT_SENSITIVE = [
  '.github/workflows/**', '.gitlab-ci.yml', '.circleci/**', 'Jenkinsfile',
  'migrations/**', '**/migrations/**',
  'package-lock.json', '**/package-lock.json', '**/yarn.lock', '**/pnpm-lock.yaml', '**/Cargo.lock', '**/poetry.lock', '**/go.sum', '**/Gemfile.lock',
  '**/Dockerfile', '**/Dockerfile.*', '**/docker-compose*.yml',
  'infra/**', 'terraform/**', '**/*.tf', 'k8s/**', 'helm/**', '.baton/**', 'baton.yml',
];
const DEFAULT_TEST_PATHS = ['test/**', 'tests/**', '**/__tests__/**', '**/*.test.*', '**/*.spec.*', '**/test_*.py', '**/*_test.py', '**/*_test.go'];

const outcomeGatesSchema = z
  .object({
    max_files: z.number().int().min(1).max(10_000).default(20),
    /** Added plus removed lines. */
    max_lines: z.number().int().min(1).max(1_000_000).default(600),
    sensitive_paths: z.array(z.string().min(1)).default(DEFAULT_SENSITIVE),
    /** A ticket with this label may touch sensitive paths. */
    sensitive_label: z.string().trim().min(1).default('baton-sensitive-ok'),
    /** Which files are tests (globs); FAIL_TO_PASS is checked on them. */
    test_paths: z.array(z.string().min(1)).default(DEFAULT_TEST_PATHS),
  })
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
