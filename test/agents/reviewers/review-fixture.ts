import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pino from 'pino';
import { createModelClient, type ModelCall } from '../../../src/agents/model-client.ts';
import { runReviewers, type ReviewerDeps, type ReviewInput } from '../../../src/agents/reviewers/run-reviewers.ts';
import type { ReviewerName, ReviewerResult } from '../../../src/domain/review.ts';
import { createAnthropic } from '../../../src/integrations/anthropic.ts';
import { policySchema, type Policy } from '../../../src/policy.ts';
import { createBwrapSandbox } from '../../../src/sandbox/create-bwrap-sandbox.ts';
import type { FakeAnthropic } from '../../fakes/fake-anthropic.ts';
import { tempDir, testManager } from '../../integrations/git/git-fixtures.ts';
import { createDemoRepo, DEMO_FIX, DEMO_NEW_TEST, demoTicket } from '../../support/demo-repo.ts';

/** A second module that calls sumRange: the caller the blast-radius reviewer must find by searching. */
export const INVOICE_FILE = {
  path: 'src/invoice.js',
  content: [
    "import { sumRange } from './calc.js';",
    '',
    '/** Units billed for days first..last of a month, both included. */',
    'export function billedUnits(first, last) {',
    '  return sumRange(first, last);',
    '}',
    '',
  ].join('\n'),
} as const;

/** The calc demo's fix as the coder's diff: the change the reviewers review. */
export const DEMO_DIFF = [
  'diff --git a/src/calc.js b/src/calc.js',
  '--- a/src/calc.js',
  '+++ b/src/calc.js',
  '@@ -6,5 +6,5 @@ export function add(a, b) {',
  ' /** Every integer from start to end, both included: range(1, 3) is [1, 2, 3]. */',
  ' export function range(start, end) {',
  '   const out = [];',
  `-  ${DEMO_FIX.oldStr} out.push(i);`,
  `+  ${DEMO_FIX.newStr} out.push(i);`,
  '   return out;',
  'diff --git a/test/range.test.js b/test/range.test.js',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/test/range.test.js',
  `@@ -0,0 +1,${DEMO_NEW_TEST.content.split('\n').length - 1} @@`,
  ...DEMO_NEW_TEST.content.replace(/\n$/, '').split('\n').map((line) => `+${line}`),
  '',
].join('\n');

export interface ReviewWorld {
  input: ReviewInput;
  deps: ReviewerDeps;
  policy: Policy;
  /** The worktree on the host (the reviewers see it as /repo). */
  worktree: string;
  /** Every onModelCall, in order. */
  calls: { reviewer: ReviewerName; call: ModelCall & { turn: number } }[];
  run(overrides?: Partial<ReviewerDeps>): Promise<ReviewerResult[]>;
}

/**
 * The review of the calc demo's fix: a real worktree (a linked git worktree of a real remote, the fix
 * applied, invoice.js calling sumRange), the real bubblewrap sandbox, and a model client over HTTP
 * against the fake, as production builds it.
 */
export async function reviewWorld(
  t: TestContext,
  fake: FakeAnthropic,
  options: { policy?: Record<string, unknown>; ticket?: Partial<ReviewInput['ticket']>; summary?: string; diff?: string } = {},
): Promise<ReviewWorld> {
  const { dir, cleanup } = await tempDir('baton-review-');
  t.after(cleanup);
  const demo = await createDemoRepo(dir, { [INVOICE_FILE.path]: INVOICE_FILE.content });
  const workspaces = testManager(join(dir, 'data'));
  const ticket = demoTicket();
  const workspace = await workspaces.prepareWorkspace({ repo: demo.remote.repo, runId: 'run-1', ticketKey: ticket.key, title: ticket.title });
  const calc = join(workspace.path, DEMO_FIX.path);
  await writeFile(calc, (await readFile(calc, 'utf8')).replace(DEMO_FIX.oldStr, DEMO_FIX.newStr));
  await writeFile(join(workspace.path, DEMO_NEW_TEST.path), DEMO_NEW_TEST.content);

  const policy = policySchema.parse(options.policy ?? {});
  const log = pino({ level: 'silent' });
  const calls: ReviewWorld['calls'] = [];
  const deps: ReviewerDeps = {
    model: createModelClient({
      anthropic: createAnthropic({ baseUrl: fake.url, apiKey: 'sk-ant-test', maxRetries: 0, timeoutMs: 30_000 }),
      models: policy.agent.models,
      prices: policy.agent.prices.models,
      log,
    }),
    sandbox: createBwrapSandbox({ policy: policy.sandbox, bwrapPath: '/usr/bin/bwrap' }),
    policy: policy.review,
    signal: new AbortController().signal,
    log,
    onModelCall: async (reviewer, call) => {
      calls.push({ reviewer, call });
    },
  };
  const input: ReviewInput = {
    ticket: { key: ticket.key, title: ticket.title, description: ticket.description, ...options.ticket },
    summary: options.summary ?? 'range stopped one short of its end (`i < end`); it now includes it. test/range.test.js covers it.',
    diff: options.diff ?? DEMO_DIFF,
    evidence: {
      testFiles: [DEMO_NEW_TEST.path],
      sandboxed: true,
      runs: [
        { label: 'base_with_new_tests', command: 'npm test', exitCode: 1, timedOut: false, durationMs: 812 },
        { label: 'change', command: 'npm test', exitCode: 0, timedOut: false, durationMs: 790 },
      ],
    },
    headSha: 'a'.repeat(40),
    worktreePath: workspace.path,
  };
  return { input, deps, policy, worktree: workspace.path, calls, run: (overrides = {}) => runReviewers(input, { ...deps, ...overrides }) };
}
