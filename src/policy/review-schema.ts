import { z } from 'zod';

export const reviewSchema = z
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
