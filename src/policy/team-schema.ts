import { z } from 'zod';
import { REPO_NAME } from './repo-schema.ts';

export const intakeSchema = z
  .object({
    /** A run starts when the ticket gains this label… */
    label: z.string().trim().min(1).optional(),
    /** …or moves to this state (Linear workflow state / Jira status), matched without case. */
    state: z.string().trim().min(1).optional(),
  })
  .refine((rule) => rule.label !== undefined || rule.state !== undefined, {
    message: 'give a label, a state, or both; an empty rule would start a run for every ticket',
  });

export const teamSchema = z.object({
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
