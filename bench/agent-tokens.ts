// What prompt caching saves the coder: a scripted 30-turn fix of the calc demo through runCoder
// (Baton's real prompt layout, tool loop, model client over HTTP, text editor and bash in the real
// bubblewrap sandbox, on a real worktree, with Baton's gates at the end) against FakeAnthropic,
// which computes cache writes and reads itself from the breakpoints and the prefixes it has seen.
// Run twice: as Baton sends it, and with runCoder's promptCaching off (no cache_control sent).
// Reports the share of prompt tokens read from cache, both costs, and the largest request; prints
// PASS/FAIL against the 80 % goal but exits non-zero only when the bench itself broke.
// Flags: --turns (model calls, default 30), --min-cacheable (tokens, default 1024: Sonnet-class),
// --goal (percent, default 80), --per-turn (1 prints every call's usage).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelCall } from '../src/agents/model-client.ts';
import { priceOf } from '../src/domain/model-cost.ts';
import { FakeAnthropic } from '../test/fakes/fake-anthropic.ts';
import { benchEnvironment } from './lib/bench-environment.ts';
import { formatTable } from './lib/format-table.ts';
import { parseFlags } from './lib/parse-flags.ts';
import { scriptedFix } from './lib/agent-script.ts';
import { promptTokens, summarizeUsage, type UsageSummary } from './lib/agent-usage.ts';
import { createAgentWorld, type AgentWorld } from './lib/agent-world.ts';

const RESULTS_FILE = join(new URL('.', import.meta.url).pathname, 'results', 'agent-tokens.json');
const defaults = { turns: 30, 'min-cacheable': 1024, goal: 80, 'per-turn': 0 };
let flags: typeof defaults;
try {
  flags = parseFlags(process.argv.slice(2), defaults);
} catch (error) {
  console.error(`agent-tokens: ${(error as Error).message}`);
  process.exit(2);
}

interface RunFigures {
  label: string;
  outcome: string;
  turns: number;
  divergences: string[];
  summary: UsageSummary;
  /** Each call's usage, in order. */
  perCall: ModelCall['usage'][];
  /** Bytes of each request body as it reached the fake. */
  requestBytes: number[];
  /** cache_control markers in the request bodies the fake received. */
  breakpointsSent: number;
  seconds: number;
}

const fake = new FakeAnthropic({ minCacheableTokens: flags['min-cacheable'] });
await fake.start();
let world: AgentWorld | undefined;
const problems: string[] = [];
try {
  world = await createAgentWorld();
  const price = priceOf(world.policy.agent.models[0]!, world.policy.agent.prices.models)!;
  const client = world.modelClient(fake.url);

  async function run(label: string, n: number, promptCaching: boolean): Promise<RunFigures> {
    fake.reset();
    const script = scriptedFix(flags.turns);
    fake.handle(script.handler);
    const workspace = await world!.prepare(`tokens-${n}`, n);
    const calls: ModelCall[] = [];
    const started = performance.now();
    const result = await world!.runCoder({ workspace, model: client, promptCaching, onModelCall: async (call) => void calls.push(call) });
    const seconds = (performance.now() - started) / 1000;
    const bodies = fake.callsTo('POST', '/v1/messages').map((c) => c.rawBody);
    const outcome = result.outcome.kind === 'failed' ? `failed (${result.outcome.code}: ${result.outcome.reason})` : result.outcome.kind;
    return {
      label, outcome, turns: result.turns, divergences: script.divergences,
      summary: summarizeUsage(calls, price),
      perCall: calls.map((c) => c.usage),
      requestBytes: bodies.map((b) => b.length),
      breakpointsSent: bodies.reduce((sum, b) => sum + (b.toString('utf8').match(/"cache_control"/g)?.length ?? 0), 0),
      seconds,
    };
  }

  const cached = await run('caching on (as Baton sends it)', 101, true);
  const uncached = await run('caching off (promptCaching: false)', 102, false);

  for (const r of [cached, uncached]) {
    if (r.outcome !== 'proven') problems.push(`${r.label}: outcome ${r.outcome}, expected proven`);
    if (r.turns !== flags.turns) problems.push(`${r.label}: ${r.turns} model calls, expected ${flags.turns}`);
    problems.push(...r.divergences.map((d) => `${r.label}: ${d}`));
  }
  if (uncached.breakpointsSent !== 0) problems.push(`caching off still sent ${uncached.breakpointsSent} cache_control markers`);

  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const usd = (x: number) => `$${x.toFixed(4)}`;
  const k = (x: number) => x.toLocaleString('en-US');
  console.log(`model ${world.policy.agent.models[0]} at $${price.input}/$${price.output} per MTok in/out, cache write 5m $${price.cache_write_5m}, read $${price.cache_read} (agent.prices, read ${world.policy.agent.prices.read_on})`);
  console.log(`fake's minimum cacheable length: ${flags['min-cacheable']} tokens${flags['min-cacheable'] === 1024 ? ' (Sonnet-class)' : ''}; its tokens are ~4 characters each, not Claude's tokenizer\n`);
  console.log(formatTable(
    ['run', 'calls', 'input', 'cache write', 'cache read', 'output', 'from cache', 'cost', 'wall'],
    [cached, uncached].map((r) => [
      r.label, String(r.summary.calls), k(r.summary.usage.input), k(r.summary.usage.cacheWrite5m + r.summary.usage.cacheWrite1h),
      k(r.summary.usage.cacheRead), k(r.summary.usage.output), pct(r.summary.cacheShare), usd(r.summary.costUsd), `${r.seconds.toFixed(1)} s`,
    ]),
  ));
  const biggest = cached.summary.largest;
  const maxBytes = Math.max(...cached.requestBytes);
  console.log(`\ncost without caching, computed from the cached run's own prompt tokens at the base input price: ${usd(cached.summary.uncachedCostUsd)}`);
  console.log(`caching saves ${pct(1 - cached.summary.costUsd / uncached.summary.costUsd)} of the run's cost (${usd(cached.summary.costUsd)} vs ${usd(uncached.summary.costUsd)} measured with caching off)`);
  console.log(`largest single request: ${k(biggest.tokens)} prompt tokens (turn ${biggest.turn}); largest body ${k(maxBytes)} bytes (turn ${cached.requestBytes.indexOf(maxBytes) + 1})`);
  if (flags['per-turn']) {
    const rows = cached.perCall.map((u, i) => [
      String(i + 1), k(u.input), k(u.cacheWrite5m + u.cacheWrite1h), k(u.cacheRead), k(promptTokens(u)), k(cached.requestBytes[i] ?? 0),
    ]);
    console.log(`\ncaching on, per call:\n${formatTable(['turn', 'input', 'cache write', 'cache read', 'prompt', 'bytes'], rows)}`);
  }
  const share = 100 * cached.summary.cacheShare;
  console.log(`\n${share >= flags.goal ? 'PASS' : 'FAIL'}: ${share.toFixed(1)} % of prompt tokens served from cache (goal ≥ ${flags.goal} %)`);
  for (const p of problems) console.log(`BROKEN: ${p}`);

  mkdirSync(join(RESULTS_FILE, '..'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify({ bench: 'agent-tokens', ...benchEnvironment(), flags, price, cached, uncached, problems }, null, 2)}\n`);
  console.log(`results written to ${RESULTS_FILE}`);
} catch (error) {
  problems.push((error as Error).stack ?? String(error));
  console.error(`agent-tokens broke: ${(error as Error).stack ?? String(error)}`);
} finally {
  await world?.cleanup();
  await fake.stop();
}
if (problems.length > 0) process.exitCode = 1;
