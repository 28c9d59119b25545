// The review stage's wall time against its slowest reviewer: runReviewers (the cache warm-up, then the
// three reviewers concurrently, each a search in the real bubblewrap sandbox on a real worktree and a
// structured answer, through the real model client over HTTP) against FakeAnthropic, which delays each
// reviewer's calls differently (default 300 / 600 / 900 ms in all). The slowest reviewer is then run
// alone (runReviewer, same shared prompt, same delays) in the same process, and so are the other two,
// for what a sequential stage would take. Repeated --runs times; medians reported. Prints PASS/FAIL
// against the goal (stage ≤ 1.2 × slowest alone) but exits non-zero only when the bench itself broke.
// Flags: --runs (default 5), --security-ms, --blast-ms, --plan-ms (model time per reviewer, split over
// its two calls), --warm-ms (the warm-up's model time, default 50), --goal (ratio, default 1.2).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type Anthropic from '@anthropic-ai/sdk';
import { runReviewer } from '../src/agents/reviewers/run-reviewer.ts';
import { runReviewers, type ReviewerDeps, type ReviewInput } from '../src/agents/reviewers/run-reviewers.ts';
import { sharedReview } from '../src/agents/reviewers/shared-review.ts';
import { REVIEWERS, type ReviewerName, type ReviewerResult } from '../src/domain/review.ts';
import { FakeAnthropic, type ScriptedResponse } from '../test/fakes/fake-anthropic.ts';
import { DEMO_FIX, DEMO_NEW_TEST, demoTicket } from '../test/support/demo-repo.ts';
import { benchEnvironment } from './lib/bench-environment.ts';
import { formatTable } from './lib/format-table.ts';
import { parseFlags } from './lib/parse-flags.ts';
import { createAgentWorld, type AgentWorld } from './lib/agent-world.ts';

const RESULTS_FILE = join(new URL('.', import.meta.url).pathname, 'results', 'review-stage.json');
const defaults = { runs: 5, 'security-ms': 300, 'blast-ms': 600, 'plan-ms': 900, 'warm-ms': 50, goal: 1.2 };
let flags: typeof defaults;
try {
  flags = parseFlags(process.argv.slice(2), defaults);
} catch (error) {
  console.error(`review-stage: ${(error as Error).message}`);
  process.exit(2);
}
const delayOf: Record<ReviewerName, number> = { security: flags['security-ms'], blast_radius: flags['blast-ms'], action_plan: flags['plan-ms'] };
const slowest = REVIEWERS.reduce((a, b) => (delayOf[b] > delayOf[a] ? b : a));

const REPORTS: Record<ReviewerName, unknown> = {
  security: { risk: 1, findings: [], summary: 'A loop bound and a new test; nothing security-relevant.', confidence: 0.9 },
  blast_radius: { level: 'low', services: ['calc'], modules: ['src/calc.js'], callers: [{ path: 'src/calc.js', symbol: 'range' }], summary: 'range is used by sumRange.', confidence: 0.8 },
  action_plan: { rollout: ['Merge.'], verification: ['Run npm test.'], rollback: ['Revert the merge commit.'], summary: 'Merge, test, revert if needed.', confidence: 0.8 },
};

function reviewerOf(request: Anthropic.MessageCreateParams): ReviewerName | 'warm-up' {
  if (request.messages.length === 1) return 'warm-up';
  const second = request.messages[1]!.content;
  const text = typeof second === 'string' ? second : second.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
  const role = REVIEWERS.find((r) => text.includes(`(role: ${r})`));
  if (!role) throw new Error('review-stage: a request from no known reviewer');
  return role;
}

/** Each reviewer: a search (half its model time), then its report (the other half). The warm-up: --warm-ms. */
async function answer(request: Anthropic.MessageCreateParams, turn: number): Promise<ScriptedResponse> {
  const who = reviewerOf(request);
  if (who === 'warm-up') {
    await sleep(flags['warm-ms']);
    return { content: [{ type: 'text', text: '{' }], stop_reason: 'max_tokens' };
  }
  await sleep(delayOf[who] / 2);
  if (turn === 0) return { content: [{ type: 'tool_use', name: 'search', input: { pattern: '\\brange\\(', path: '/repo/src' } }] };
  return { content: [{ type: 'json', value: { report: REPORTS[who] } }] };
}

const fake = new FakeAnthropic();
await fake.start();
let world: AgentWorld | undefined;
const problems: string[] = [];
try {
  world = await createAgentWorld();
  const workspace = await world.prepare('review-1', 1);
  const ticket = demoTicket();
  const input: ReviewInput = {
    ticket: { key: ticket.key, title: ticket.title, description: ticket.description },
    summary: 'range stopped one short of its end; it now includes it. test/range.test.js covers it.',
    diff: `diff --git a/src/calc.js b/src/calc.js\n--- a/src/calc.js\n+++ b/src/calc.js\n@@ -8 +8 @@\n-  ${DEMO_FIX.oldStr} out.push(i);\n+  ${DEMO_FIX.newStr} out.push(i);\n`,
    evidence: {
      testFiles: [DEMO_NEW_TEST.path], sandboxed: true,
      runs: [{ label: 'base_with_new_tests', command: 'npm test', exitCode: 1, timedOut: false, durationMs: 800 }, { label: 'change', command: 'npm test', exitCode: 0, timedOut: false, durationMs: 800 }],
    },
    headSha: 'b'.repeat(40),
    worktreePath: workspace.path,
  };
  const deps: ReviewerDeps = {
    model: world.modelClient(fake.url), sandbox: world.sandbox, policy: world.policy.review,
    signal: new AbortController().signal, log: pino({ level: 'silent' }),
  };
  const shared = sharedReview(input, world.sandbox);

  const fresh = (): void => {
    fake.reset();
    fake.handle((request, info) => answer(request, info.turn));
  };
  const timed = async (run: () => Promise<ReviewerResult[]>): Promise<number> => {
    fresh();
    const started = performance.now();
    const results = await run();
    const ms = performance.now() - started;
    for (const r of results) if (r.status !== 'answered') problems.push(`${r.reviewer} abstained: ${r.reason}`);
    return ms;
  };

  const samples = { stage: [] as number[], uncached: [] as number[], alone: Object.fromEntries(REVIEWERS.map((r) => [r, [] as number[]])) as Record<ReviewerName, number[]> };
  await timed(() => runReviewers(input, deps)); // warm the process (module loading, first bwrap spawn), not counted
  for (let run = 0; run < flags.runs; run++) {
    samples.stage.push(await timed(() => runReviewers(input, deps)));
    samples.uncached.push(await timed(() => runReviewers(input, { ...deps, promptCaching: false })));
    for (const reviewer of REVIEWERS) samples.alone[reviewer].push(await timed(async () => [await runReviewer(reviewer, shared, deps)]));
  }

  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const stage = median(samples.stage);
  const alone = Object.fromEntries(REVIEWERS.map((r) => [r, median(samples.alone[r])])) as Record<ReviewerName, number>;
  const sequential = REVIEWERS.reduce((sum, r) => sum + alone[r], 0);
  const ratio = stage / alone[slowest];
  const perRun = samples.stage.map((ms, i) => ms / samples.alone[slowest][i]!);
  const ms = (x: number) => `${x.toFixed(0)} ms`;

  console.log(`fake model time per reviewer: security ${delayOf.security} ms, blast_radius ${delayOf.blast_radius} ms, action_plan ${delayOf.action_plan} ms (two calls each: a search in bwrap, then the report); warm-up ${flags['warm-ms']} ms`);
  console.log(`${flags.runs} runs, medians; a real warm-up costs the prefill of the shared prefix, which each reviewer's first call then reads from cache\n`);
  console.log(formatTable(['measured', 'wall (median)', 'min', 'max'], [
    ['review stage (warm-up + 3 concurrent)', ms(stage), ms(Math.min(...samples.stage)), ms(Math.max(...samples.stage))],
    ['review stage, caching off (no warm-up)', ms(median(samples.uncached)), ms(Math.min(...samples.uncached)), ms(Math.max(...samples.uncached))],
    ...REVIEWERS.map((r) => [`${r} alone${r === slowest ? ' (slowest)' : ''}`, ms(alone[r]), ms(Math.min(...samples.alone[r])), ms(Math.max(...samples.alone[r]))]),
    ['the three one after another (sum alone)', ms(sequential), '', ''],
  ]));
  console.log(`\nstage / slowest alone: ${ratio.toFixed(3)}× (per run: ${perRun.map((r) => r.toFixed(3)).join(', ')}); stage / sequential: ${(stage / sequential).toFixed(3)}×`);
  console.log(`${ratio <= flags.goal ? 'PASS' : 'FAIL'}: the review stage takes ${ratio.toFixed(2)}× its slowest reviewer alone (goal ≤ ${flags.goal}×)`);
  for (const p of problems) console.log(`BROKEN: ${p}`);

  mkdirSync(join(RESULTS_FILE, '..'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify({ bench: 'review-stage', ...benchEnvironment(), flags, slowest, stageMs: stage, aloneMs: alone, sequentialMs: sequential, ratio, samples, problems }, null, 2)}\n`);
  console.log(`results written to ${RESULTS_FILE}`);
} catch (error) {
  problems.push((error as Error).stack ?? String(error));
  console.error(`review-stage broke: ${(error as Error).stack ?? String(error)}`);
} finally {
  await world?.cleanup();
  await fake.stop();
}
if (problems.length > 0) process.exitCode = 1;
