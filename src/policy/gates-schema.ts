import { z } from 'zod';

// Slack user ids (U…/W…); user-group ids (S…) are accepted here and resolved by the approval gates.
const approverSchema = z.string().regex(/^[UWS][A-Z0-9]{2,}$/, 'a Slack user id (U…) or user-group id (S…)');

export const gatesSchema = z
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
export const repoGatesSchema = z.object({
  merge: z
    .object({
      approvers: z.array(approverSchema).optional(),
      expire_hours: z.number().int().min(1).max(24 * 30).optional(),
      auto_approve: z.boolean().optional(),
    })
    .optional(),
  production: z.object({ approvers: z.array(approverSchema).optional() }).optional(),
});
