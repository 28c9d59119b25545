import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Pool } from '../db/pool.ts';
import type { DeliverySource } from '../db/deliveries.ts';
import type { Logger } from '../logger.ts';
import type { WebhookOutcome } from '../bot/webhooks/create-webhook-handler.ts';
import { RUN_STATUSES } from '../domain/run.ts';
import { QUEUE_NAMES, type QueueName } from '../jobs/queues.ts';
import { countAgentSlotsInUse } from '../db/agent-slots.ts';
import { countJobs, countRuns, sumAgentUsage, type AgentUsage, type JobCount, type RunCount } from './database-counts.ts';

export type JobOutcome = 'completed' | 'failed';

/**
 * What /metrics shows. The methods are plain closures, so `metrics.slackError` can be handed on
 * as a callback as it is.
 */
export interface Metrics {
  /** One answered webhook delivery (src/bot/webhooks/create-webhook-handler.ts calls it). */
  webhookDelivery(source: DeliverySource, outcome: WebhookOutcome): void;
  /** One failed Slack call, after the SDK's retries (createSlackClient's `onError`). */
  slackError(method: string, code: string): void;
  /** One job handler's run, from start to return or throw (withJobMetrics calls it). */
  observeJob(queue: QueueName, seconds: number, outcome: JobOutcome): void;
  /** One job released from a worker that stopped renewing its lease (queue.ts's watchdog): retried, or given up. */
  jobReleased(queue: string, givenUp: boolean): void;
  /** The exposition text, with jobs, runs and agent usage read from the database now. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  pool: Pool;
  /** pg-boss's schema (`<DATABASE_SCHEMA>_jobs`, as main.ts names it for createQueue). */
  jobsSchema: string;
  log: Logger;
}

const JOB_STATES = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed'] as const;
const WEBHOOK_SOURCES: readonly DeliverySource[] = ['linear', 'jira', 'github'];
const WEBHOOK_OUTCOMES: readonly WebhookOutcome[] = ['queued', 'duplicate', 'ignored', 'refused', 'failed'];
// Jobs take from milliseconds (intake.event) to the agent's tens of minutes (run.fix, deploys).
const JOB_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
const TOKEN_KINDS = ['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read'] as const;

/** A registry of its own (never prom-client's global one), so tests and processes do not share series. */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const webhooks = new Counter({
    name: 'baton_webhook_deliveries_total',
    help: 'Webhook deliveries answered, by source and outcome (queued, duplicate, ignored, refused, failed).',
    labelNames: ['source', 'outcome'],
    registers,
  });
  // Zeros from the start, so rate() and alerts see a series before the first delivery of a kind.
  for (const source of WEBHOOK_SOURCES) for (const outcome of WEBHOOK_OUTCOMES) webhooks.inc({ source, outcome }, 0);
  const slackErrors = new Counter({
    name: 'baton_slack_api_errors_total',
    help: 'Slack API calls that failed after the SDK retries, by API method and error code.',
    labelNames: ['method', 'code'],
    registers,
  });
  const jobDuration = new Histogram({
    name: 'baton_job_duration_seconds',
    help: "Job handlers' run time in this process, by queue and outcome.",
    labelNames: ['queue', 'outcome'],
    buckets: JOB_SECONDS_BUCKETS,
    registers,
  });

  const released = new Counter({
    name: 'baton_jobs_released_total',
    help: 'Jobs this process released from a worker that stopped renewing their lease (killed, lost, cut off), by queue and outcome (retried, given_up).',
    labelNames: ['queue', 'outcome'],
    registers,
  });
  for (const queue of QUEUE_NAMES) for (const outcome of ['retried', 'given_up']) released.inc({ queue, outcome }, 0);

  const jobs = new Gauge({ name: 'baton_jobs', help: "Jobs in pg-boss's table, by queue and state (read at scrape time).", labelNames: ['queue', 'state'], registers });
  const runs = new Gauge({ name: 'baton_runs', help: 'Runs by status (read at scrape time).', labelNames: ['status'], registers });
  const slots = new Gauge({
    name: 'baton_agent_slots_in_use',
    help: 'Agent slots held across all processes (scheduling.agent_concurrency is the cap; read at scrape time).',
    registers,
  });
  // Counters although read from the table: the sums only grow (agent_calls rows are never
  // deleted), so rate() and increase() work on them as on any counter.
  const agentTokens = new Counter({
    name: 'baton_agent_tokens_total',
    help: 'Model tokens recorded in agent_calls, by model, agent and kind (read at scrape time).',
    labelNames: ['model', 'agent', 'kind'],
    registers,
  });
  const agentCost = new Counter({
    name: 'baton_agent_cost_usd_total',
    help: 'Model cost in US dollars recorded in agent_calls, by model and agent (read at scrape time).',
    labelNames: ['model', 'agent'],
    registers,
  });
  const agentCalls = new Counter({
    name: 'baton_agent_calls_total',
    help: 'Model calls recorded in agent_calls, by model and agent (read at scrape time).',
    labelNames: ['model', 'agent'],
    registers,
  });
  const databaseUp = new Gauge({
    name: 'baton_metrics_database_up',
    help: 'Whether the last scrape could read jobs, runs and agent usage from the database (1) or not (0).',
    registers,
  });

  const applyJobs = (rows: JobCount[]): void => {
    jobs.reset();
    for (const queue of QUEUE_NAMES) for (const state of JOB_STATES) jobs.set({ queue, state }, 0);
    for (const row of rows) jobs.set({ queue: row.queue, state: row.state }, row.count);
  };
  const applyRuns = (rows: RunCount[]): void => {
    runs.reset();
    for (const status of RUN_STATUSES) runs.set({ status }, 0);
    for (const row of rows) runs.set({ status: row.status }, row.count);
  };
  const applyAgents = (rows: AgentUsage[]): void => {
    agentTokens.reset();
    agentCost.reset();
    agentCalls.reset();
    for (const { model, agent, tokens, costUsd, calls } of rows) {
      for (const kind of TOKEN_KINDS) agentTokens.inc({ model, agent, kind }, tokens[kind]);
      agentCost.inc({ model, agent }, costUsd);
      agentCalls.inc({ model, agent }, calls);
    }
  };

  let databaseWasUp = true;
  return {
    contentType: registry.contentType,
    webhookDelivery: (source, outcome) => webhooks.inc({ source, outcome }),
    slackError: (method, code) => slackErrors.inc({ method, code }),
    observeJob: (queue, seconds, outcome) => jobDuration.observe({ queue, outcome }, seconds),
    jobReleased: (queue, givenUp) => released.inc({ queue, outcome: givenUp ? 'given_up' : 'retried' }),
    async render() {
      const [jobRows, runRows, agentRows, slotsInUse] = await Promise.allSettled([
        countJobs(options.pool, options.jobsSchema),
        countRuns(options.pool),
        sumAgentUsage(options.pool),
        countAgentSlotsInUse(options.pool),
      ]);
      // Applied together with no await in between, so a concurrent scrape never sees a half-reset
      // gauge. A series the database could not give is left out rather than shown stale; the
      // counters kept in memory (webhooks, Slack, job durations) are shown either way.
      const failures: string[] = [];
      const apply = <T>(result: PromiseSettledResult<T>, fn: (value: T) => void, reset: () => void): void => {
        if (result.status === 'fulfilled') return fn(result.value);
        reset();
        failures.push(String((result.reason as Error)?.message ?? result.reason));
      };
      apply(jobRows, applyJobs, () => jobs.reset());
      apply(runRows, applyRuns, () => runs.reset());
      apply(agentRows, applyAgents, () => [agentTokens, agentCost, agentCalls].forEach((c) => c.reset()));
      apply(slotsInUse, (n) => slots.set(n), () => slots.reset());
      databaseUp.set(failures.length === 0 ? 1 : 0);
      // Said when it changes, not at every scrape (Prometheus asks every 15 s or so).
      if (failures.length > 0 && databaseWasUp) options.log.warn({ errors: failures }, 'metrics: the database could not be read; jobs, runs and agent usage are left out until it can');
      if (failures.length === 0 && !databaseWasUp) options.log.info('metrics: the database can be read again');
      databaseWasUp = failures.length === 0;
      return registry.metrics();
    },
  };
}
