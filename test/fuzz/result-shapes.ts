import assert from 'node:assert/strict';
import { z } from 'zod';

/*
 * What "a result or a typed refusal" means, checked at run time: the parsers' TypeScript types say
 * what they return, but a value read from a plain-object table with an untrusted name (`constructor`)
 * is a function where a string was promised. These schemas are the declared types, strictly.
 */

export const refusal = z.strictObject({ ok: z.literal(false), reason: z.string().min(1) });

const state = z.strictObject({ name: z.string(), category: z.enum(['todo', 'in_progress', 'done', 'cancelled']) });

export const ticketEvent = z.strictObject({
  kind: z.enum(['created', 'updated', 'deleted']),
  source: z.enum(['linear', 'jira']),
  ticketKey: z.string().min(1),
  team: z.string(),
  labelsAdded: z.array(z.string()),
  stateChangedTo: state.optional(),
  descriptionChanged: z.boolean(),
  labels: z.array(z.string()),
  state,
  priority: z.enum(['urgent', 'high', 'medium', 'low', 'none']),
});

const int = z.number().int();
export const gitHubEvent = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('pull_request_closed'), repo: z.string().min(1), number: int, url: z.string(), branch: z.string(), headSha: z.string().min(1), merged: z.boolean(), actor: z.string().min(1), title: z.string() }),
  z.strictObject({ kind: z.literal('checks_completed'), scope: z.enum(['suite', 'run']), repo: z.string().min(1), headSha: z.string().min(1), headBranch: z.string().nullable(), pullNumbers: z.array(int), name: z.string(), conclusion: z.string().nullable(), url: z.string() }),
  z.strictObject({ kind: z.literal('review'), repo: z.string().min(1), number: int, url: z.string(), branch: z.string(), author: z.string().min(1), authorIsBot: z.boolean(), state: z.enum(['approved', 'changes_requested', 'commented']), body: z.string() }),
  z.strictObject({ kind: z.literal('comment'), repo: z.string().min(1), number: int, url: z.string(), branch: z.string().optional(), author: z.string().min(1), authorIsBot: z.boolean(), body: z.string(), path: z.string().optional(), line: int.optional() }),
]);

/** `{ ok: true, value }` with a value of the declared shape, or `{ ok: false, reason }`; anything else fails with the first mismatch. */
export function assertResult(result: unknown, value: z.ZodType): void {
  const ok = (result as { ok?: unknown } | null | undefined)?.ok === true;
  const checked = (ok ? z.strictObject({ ok: z.literal(true), value }) : refusal).safeParse(result);
  if (checked.success) return;
  const first = checked.error.issues[0];
  assert.fail(`not a result or a typed refusal: ${first?.path.join('.') || '(root)'}: ${first?.message} in ${describe(result)}`);
}

/** A short, printable rendering of any value, functions included (JSON.stringify would drop them). */
export function describe(value: unknown): string {
  const seen = new WeakSet<object>();
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'function') return `[function ${v.name}]`;
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
  return text === undefined ? String(value) : text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
