import type Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { z } from 'zod';
import { REPORT_SCHEMAS, type ReportOf, type ReviewerName } from '../../domain/review.ts';

/**
 * One answer format for all three reviewers: `{ "report": <a security, blast-radius or action-plan
 * report> }`. The structured-output schema is part of the prompt the API caches (it adds a system
 * prompt describing the format; a request that changes only the schema misses the cache, as seen on
 * Claude through Bedrock), so three reviewer-specific schemas would give three prefixes and no shared
 * cache. With one schema, the material the reviewers share is written once and read by each. The
 * grammar then lets a reviewer answer another reviewer's shape; the check below (its own schema)
 * catches that, as it catches the bounds the grammar cannot enforce (lengths, 0–10, list sizes).
 * The report sits under a key because a schema whose root is a union is not documented as supported.
 */
const answerSchema = z.object({
  report: z.union([REPORT_SCHEMAS.security, REPORT_SCHEMAS.blast_radius, REPORT_SCHEMAS.action_plan]),
});

// Only `{ type, schema }` is sent: with the helper's `parse` in the request, the SDK parses every text
// block of every reply itself and throws on one it cannot parse, which would look like a broken stream.
const { type, schema } = zodOutputFormat(answerSchema);
export const REVIEW_OUTPUT_CONFIG: Anthropic.OutputConfig = { format: { type, schema } };

export type ParsedAnswer<R extends ReviewerName> = { ok: true; report: ReportOf[R] } | { ok: false; problem: string };

const MAX_ISSUES = 5;

/** The reviewer's final text as its validated report, or what is wrong with it, said so the model can fix it. */
export function parseAnswer<R extends ReviewerName>(reviewer: R, text: string): ParsedAnswer<R> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const said = text.trim() === '' ? 'the reply was empty' : `the reply is not JSON (${(error as Error).message})`;
    return { ok: false, problem: said };
  }
  if (typeof parsed !== 'object' || parsed === null || !('report' in parsed)) {
    return { ok: false, problem: 'the reply has no `report` object at its top level' };
  }
  const checked = REPORT_SCHEMAS[reviewer].safeParse(parsed.report);
  if (checked.success) return { ok: true, report: checked.data as ReportOf[R] };
  const issues = checked.error.issues;
  const listed = issues.slice(0, MAX_ISSUES).map((issue) => `report.${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const more = issues.length > MAX_ISSUES ? `; and ${issues.length - MAX_ISSUES} more` : '';
  return { ok: false, problem: `the ${reviewer} report does not fit its schema: ${listed.join('; ')}${more}` };
}
