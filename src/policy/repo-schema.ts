import { z } from 'zod';
import { repoGatesSchema } from './gates-schema.ts';

/** A repository's key in baton.yml: owner/name, as on GitHub. */
export const REPO_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export const repoSchema = z.object({
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
