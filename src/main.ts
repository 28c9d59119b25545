import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { createLogger, createRedactor, type Logger } from './logger.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded-postgres.ts';
import { migrate } from './db/migrate.ts';
import { createPool, type Pool } from './db/pool.ts';
import { latestRunForTicket, listActiveRuns } from './db/runs.ts';
import { createQueue, type Queue } from './jobs/queue.ts';
import { registerWorkers } from './jobs/register-workers.ts';
import { startRun } from './jobs/start-run.ts';
import { createSlackClient } from './integrations/slack.ts';
import { createSlackApp, type SlackApp } from './bot/create-slack-app.ts';
import { registerAgentCommand } from './bot/commands/agent-command.ts';
import { createHttpServer, type ReadyReport } from './bot/create-http-server.ts';
import { slackNotConnectedNotice } from './bot/views/slack-not-connected.ts';
import { unknownTicketPrefixMessage } from './bot/views/ticket-event-messages.ts';
import { createWebhookHandler } from './bot/webhooks/create-webhook-handler.ts';
import { linearWebhookSource } from './bot/webhooks/linear-webhook-source.ts';
import { jiraWebhookSource } from './bot/webhooks/jira-webhook-source.ts';
import { unsignedWebhookWarnings } from './bot/webhooks/unsigned-webhook-warnings.ts';
import { createLinearTracker } from './integrations/trackers/linear-tracker.ts';
import { createJiraTracker } from './integrations/trackers/jira-tracker.ts';
import type { TicketTracker } from './integrations/trackers/ticket-tracker.ts';
import { createTrackerRoutes } from './jobs/tracker-routes.ts';
import { createDeliveryAcceptor } from './jobs/accept-delivery.ts';
import { createJobInserter } from './jobs/create-job-inserter.ts';
import type { TrackerName } from './domain/route-ticket.ts';
import type { NewRun } from './domain/run.ts';
import type { AgentStep } from './agents/agent-step.ts';
import { createSlackUploader } from './integrations/slack-upload.ts';
import { approveGate, rejectGate, retryMerge } from './jobs/decide-gate.ts';
import { endRejectedRun } from './jobs/reject-run.ts';
import { auditTrail } from './jobs/audit-trail.ts';
import { registerGateActions } from './bot/actions/gate-actions.ts';
import { registerRunRetry } from './bot/actions/run-retry-action.ts';
import { registerAppHome } from './bot/events/app-home-opened.ts';
import { appHome } from './jobs/app-home.ts';
import { createMetrics } from './metrics/create-metrics.ts';
import { withJobMetrics } from './metrics/with-job-metrics.ts';
import { startMetricsServer } from './metrics/start-metrics-server.ts';
import { retryRun } from './jobs/retry-run.ts';
import { startLocalParts, type LocalParts } from './local/start-local-parts.ts';
import { routeCodeHost } from './local/code-host/route-code-host.ts';
import { agentNotConfiguredReason } from './jobs/run-fix.ts';
import { requeueRunsWaitingForAgent } from './jobs/requeue-runs-waiting-for-agent.ts';
import { runFixExpirySeconds } from './jobs/rescue-stranded-runs.ts';
import { decideCostCap } from './jobs/decide-cost-cap.ts';
import { answerInThread } from './jobs/answer-clarification.ts';
import { registerCostCapActions } from './bot/actions/cost-cap-actions.ts';
import { registerThreadReplies } from './bot/events/thread-replies.ts';
import { sandboxUnavailableReason } from './bot/views/agent-not-configured.ts';
import { buildAgentParts, buildCoder, buildReviewers } from './build-agent-parts.ts';
import { deployExpirySeconds } from './deploy-expiry-seconds.ts';
import { noTeamsNotice } from './no-teams-notice.ts';
import { close, listen } from './listen-http.ts';
import { createGitHubClient } from './integrations/github/create-github-client.ts';
import { createWorkspaceManager } from './integrations/git/create-workspace-manager.ts';
import { githubWebhookSource } from './bot/webhooks/github-webhook-source.ts';
import { handleGitHubEvent } from './jobs/handle-github-event.ts';
import { pollPullRequests } from './jobs/poll-pull-requests.ts';

export type Role = 'all' | 'web' | 'worker';

export interface Baton {
  url: string;
  pool: Pool;
  queue: Queue;
  log: Logger;
  /** Local mode's page (the emulator, local tickets and pull requests), when the local server runs. */
  localUrl: string | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  role: Role;
  log?: Logger;
  /** The agent's part of a run; tests hand in their own. By default the coder agent, built from config. */
  agent?: AgentStep;
}

/** The composition root: every client and store is built here and handed to what needs it. */
export async function startBaton(config: Config, options: StartOptions): Promise<Baton> {
  const log = options.log ?? createLogger({ ...config.log, secrets: config.secrets });
  const web = options.role !== 'worker';
  const worker = options.role !== 'web';
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };

  try {
    let embedded: EmbeddedPostgres | undefined;
    if (!config.database.url) {
      // PGlite takes a few seconds to open (longer on the very first start); said first, so a newcomer does not watch a silent terminal.
      log.info({ dataDir: config.dataDir }, `DATABASE_URL is unset: starting the embedded PostgreSQL under ${config.dataDir} (a few seconds; the first start takes longer)…`);
      const started = Date.now();
      embedded = await startEmbeddedPostgres(config.dataDir, { schema: config.database.schema });
      stops.push(() => embedded!.stop());
      log.info({ ms: Date.now() - started }, 'the embedded PostgreSQL is up');
    }
    const pool = createPool({ url: config.database.url ?? embedded!.url, schema: config.database.schema });
    // pg attaches the client (with its connection parameters) to the error: log only what it says.
    pool.on('error', (error: Error & { code?: string }) =>
      log.error({ error: error.message, code: error.code }, 'idle database connection failed'),
    );
    stops.push(() => pool.end());
    const applied = await migrate(pool, config.database.schema);
    if (applied.length) log.info({ applied }, 'database migrated');

    // pg-boss's tables live in a schema beside Baton's own.
    const jobsSchema = `${config.database.schema}_jobs`;
    const metrics = config.metrics ? createMetrics({ pool, jobsSchema, log }) : undefined;
    const rawQueue = createQueue({
      pool,
      schema: jobsSchema,
      pollIntervalSeconds: config.policy.queue.poll_interval_seconds,
      log,
      supervise: worker,
      retryDelaySeconds: config.policy.queue.retry_delay_seconds,
      // One knob for "how long until a silent worker is taken for dead", for agents and jobs alike.
      leaseSeconds: config.policy.scheduling.agent_lease_seconds,
      onReleased: metrics ? (job) => metrics.jobReleased(job.name, job.givenUp) : undefined,
      // Every role sets it: each process's start-up writes the queues' settings.
      expireInSeconds: {
        'run.fix': runFixExpirySeconds(config.policy.agent.limits.minutes),
        // A deploy job follows its workflow run for up to the longest repos.<r>.deploy.timeout_minutes.
        'deploy.staging': deployExpirySeconds(config.policy),
        'deploy.production': deployExpirySeconds(config.policy),
      },
    });
    // Every handler timed for baton_job_duration_seconds when metrics are on.
    const queue = metrics ? withJobMetrics(rawQueue, metrics) : rawQueue;
    await queue.start();
    stops.push(() => queue.stop(config.policy.queue.shutdown_grace_seconds));

    // Local mode's server comes first: in emulator mode it is the Slack that the clients below call.
    let local: LocalParts | undefined;
    if (config.local.enabled) {
      local = await startLocalParts(config, { pool, queue, log, web });
      stops.push(() => local!.stop());
    }
    const slackConfig = local?.slackConfig ?? config.slack;
    const slack = slackConfig
      ? createSlackClient({ apiUrl: slackConfig.apiUrl, token: slackConfig.botToken, retries: config.httpRetries, onError: metrics?.slackError })
      : undefined;
    const trackers: Partial<Record<TrackerName, TicketTracker>> = {};
    if (config.trackers.linear) trackers.linear = createLinearTracker(config.trackers.linear);
    if (config.trackers.jira) trackers.jira = createJiraTracker(config.trackers.jira);
    if (local) trackers.local = local.tracker;
    const routes = createTrackerRoutes(config.policy.teams, trackers);
    if (Object.keys(config.policy.teams).length === 0) log.warn({ policyFile: config.policyFile }, noTeamsNotice(config.policyFile));
    const githubClient = config.github.auth
      ? createGitHubClient({ apiUrl: config.github.apiUrl, auth: config.github.auth, retries: config.httpRetries, log })
      : undefined;
    // Repositories with path: are served by the local code host; the others by GitHub.
    const codeHost = local?.codeHost;
    const github = codeHost ? routeCodeHost(githubClient, codeHost, (repo) => codeHost.handles(repo)) : githubClient;
    const { scheduling } = config.policy;
    const start = (input: NewRun) => startRun(input, { pool, queue, headStart: scheduling.head_start_minutes });
    // Built in every role: a Stop clicked in the web role gives the run's worktree back too.
    const workspaces = createWorkspaceManager({
      dataDir: config.dataDir,
      log,
      // Only GitHub needs a token to fetch and push; repositories on disk (local mode) need none.
      credentials: githubClient ? async () => ({ username: 'x-access-token', password: await githubClient.installationToken() }) : undefined,
    });
    if (worker) {
      // Workspaces of runs that ended while Baton was down are removed before new work starts.
      // Read when each decision is made (not once before), so a run created meanwhile keeps its workspace.
      const removed = await workspaces.cleanupStaleWorkspaces(async () => (await listActiveRuns(pool, 10_000)).map((r) => r.id));
      if (removed.length) log.info({ removed }, 'removed the workspaces of runs that are no longer active');
      const githubDeps = { pool, queue, slack, log, workspaces, policy: config.policy };
      const parts = await buildAgentParts(config, log);
      const agent = options.agent ?? (parts ? buildCoder(parts, config, { pool, slack, routes, workspaces, log }) : undefined);
      const review = parts && parts.sandboxProblem === undefined ? buildReviewers(parts, config, log) : undefined;
      await registerWorkers({
        pool,
        queue,
        slack,
        routes,
        log,
        startRun: start,
        workspaces,
        agentSlots: { capacity: scheduling.agent_concurrency, leaseSeconds: scheduling.agent_lease_seconds },
        // A worker killed while opening a thread holds it this long; the next looks for what it posted.
        threadLeaseSeconds: Math.max(30, scheduling.agent_lease_seconds),
        agent,
        agentMissing: agent ? undefined : agentNotConfiguredReason(config.anthropicMissing),
        raiseFactor: config.policy.agent.limits.raise_factor,
        reconcileIntervalMinutes: scheduling.reconcile_interval_minutes,
        handleGitHubEvent: github ? async (event) => void (await handleGitHubEvent(event, githubDeps)) : undefined,
        extraPolls: github ? [async () => void (await pollPullRequests({ ...githubDeps, github }))] : [],
        publish: {
          workspaces,
          uploadFile: slackConfig ? createSlackUploader({ apiUrl: slackConfig.apiUrl, token: slackConfig.botToken, retries: config.httpRetries }) : undefined,
          redact: createRedactor(config.secrets),
        },
        review,
        reviewMissing: parts ? (parts.sandboxProblem ? sandboxUnavailableReason(parts.sandboxProblem) : undefined) : agentNotConfiguredReason(config.anthropicMissing),
        github,
        policy: config.policy,
        userName: slack ? (userId) => slack.userName(userId) : undefined,
      });
      // Runs that read their ticket while no model was configured have no job: send it again now.
      if (agent) await requeueRunsWaitingForAgent({ pool, queue, log });
    }

    let slackApp: SlackApp | undefined;
    if (web && slackConfig) {
      slackApp = createSlackApp({ slack: slackConfig, retries: config.httpRetries, log });
      registerAgentCommand(slackApp.app, {
        startRun: start,
        checkTicketKey: (key) => (routes.resolve(key) ? undefined : unknownTicketPrefixMessage(key, routes.prefixes())),
        listRuns: async (ticketKey) => {
          if (!ticketKey) return listActiveRuns(pool);
          const run = await latestRunForTicket(pool, ticketKey);
          return run ? [run] : [];
        },
        auditTrail: (ticketKey) => auditTrail(ticketKey, { pool }),
        log,
      });
      registerCostCapActions(slackApp.app, {
        decideCostCap: (click) => decideCostCap(click, { pool, queue, slack, log, workspaces, policy: config.policy }),
        log,
      });
      const gateDeps = { pool, queue, slack, github, log, policy: config.policy };
      registerGateActions(slackApp.app, {
        approveGate: (click) => approveGate(click, gateDeps),
        retryMerge: (click) => retryMerge(click, gateDeps),
        rejectGate: (click) =>
          rejectGate(click, { ...gateDeps, endRejected: (run, rejection) => endRejectedRun(run, rejection, { ...gateDeps, routes, workspaces }) }),
        log,
      });
      registerRunRetry(slackApp.app, {
        retryRun: (click) =>
          retryRun(click, { pool, queue, log, startRun: start, agentMissing: config.anthropic ? undefined : agentNotConfiguredReason(config.anthropicMissing) }),
        log,
      });
      registerAppHome(slackApp.app, { appHome: (userId) => appHome(userId, { pool, slack, policy: config.policy, log }), log });
      registerThreadReplies(slackApp.app, { answerInThread: (reply) => answerInThread(reply, { pool, queue, slack, log }), log });
      await slackApp.start();
      stops.push(() => slackApp!.stop());
    } else if (web) {
      log.warn({ missing: config.slackMissing }, slackNotConnectedNotice(config.slackMissing));
    }

    const readiness = async (): Promise<ReadyReport> => {
      const database = await pool.query('SELECT 1').then(
        () => 'ok',
        (error: unknown) => `unreachable: ${(error as Error).message}`,
      );
      const checks = { database, queue: queue.started ? 'ok' : 'stopped', slack: slackApp ? slackApp.mode : 'not connected' };
      return { ready: database === 'ok' && queue.started, checks };
    };
    const maxBodyBytes = config.policy.webhooks.max_body_kib * 1024;
    // A burst of deliveries shares transactions, and their jobs go in through one pg-boss insert per batch.
    const accept = createDeliveryAcceptor({ pool, queue, insertJobs: createJobInserter({ schema: jobsSchema }) });
    const webhooks: Record<string, RequestListener> = {};
    if (web) {
      // A source without a secret refuses every delivery unless baton.yml opts it out; either way, say so now.
      // In local mode nothing outside this machine sends webhooks: the refusals are not news to a newcomer.
      for (const line of unsignedWebhookWarnings(config)) {
        if (config.local.emulator) log.debug(line);
        else log.warn(line);
      }
      webhooks.linear = createWebhookHandler({ source: linearWebhookSource(config.webhookSecrets.linear), maxBodyBytes, accept, log, metrics });
      const allowUnsigned = config.policy.webhooks.allow_unsigned.includes('jira');
      webhooks.jira = createWebhookHandler({ source: jiraWebhookSource(config.webhookSecrets.jira, { allowUnsigned }), maxBodyBytes, accept, log, metrics });
      webhooks.github = createWebhookHandler({ source: githubWebhookSource(config.webhookSecrets.github), maxBodyBytes, accept, log, metrics });
    }
    const server = createHttpServer({
      slack: web ? slackApp?.httpHandler : undefined, slackMode: slackApp?.mode === 'socket' ? 'socket' : 'not_connected', webhooks, readiness, log,
    });
    await listen(server, config.port);
    stops.push(() => close(server));
    if (metrics && config.metrics) {
      const metricsServer = await startMetricsServer({ ...config.metrics, metrics, log });
      stops.push(() => metricsServer.stop());
      log.info({ url: `${metricsServer.url}/metrics` }, 'Prometheus metrics are served');
    }
    stops.unshift(async () => log.info('Baton stopped'));
    const { port } = server.address() as AddressInfo;
    if (local) local.batonIsUp(`http://127.0.0.1:${port}`);
    // The pid: under `npm start` or a shell the supervisor's pid is not Baton's.
    log.info({ port, pid: process.pid, role: options.role, slack: slackApp?.mode ?? 'not connected' }, 'Baton is up');

    let stopping: Promise<void> | undefined;
    return { url: `http://127.0.0.1:${port}`, pool, queue, log, localUrl: local?.url, stop: () => (stopping ??= stopAll()) };
  } catch (error) {
    await stopAll().catch((stopError: unknown) => log.error({ err: stopError }, 'clean-up after a failed start failed'));
    throw error;
  }
}
