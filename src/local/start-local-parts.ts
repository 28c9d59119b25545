import { randomUUID } from 'node:crypto';
import type { Config, SlackConfig } from '../config.ts';
import { findRunByPullRequest } from '../db/runs.ts';
import { insertLocalTicket, listLocalTickets } from '../db/local-tickets.ts';
import type { Pool } from '../db/pool.ts';
import { createLocalTracker, LOCAL_INITIAL_STATE } from '../integrations/trackers/local-tracker.ts';
import type { TicketTracker } from '../integrations/trackers/ticket-tracker.ts';
import { createDeliveryAcceptor } from '../jobs/accept-delivery.ts';
import type { Queue } from '../jobs/queue.ts';
import { LOCAL_DEMO, localDemoRepoPath } from '../local-demo-policy.ts';
import type { Logger } from '../logger.ts';
import { createLocalCodeHost, type LocalCodeHost } from './code-host/create-local-code-host.ts';
import { DEMO_TICKET, ensureDemoRepo } from './demo-content.ts';
import { localPageRoutes } from './page/local-page-routes.ts';
import { localPullRoutes, type LocalCheck } from './pull-routes.ts';
import { createSlackEmulator } from './slack-emulator/create-slack-emulator.ts';
import { startLocalServer } from './start-local-server.ts';
import { localTicketRoutes } from './ticket-routes.ts';

export interface LocalParts {
  /** The page's address (what people open; ticket and PR links point here). */
  url: string;
  /** In emulator mode, Slack as Baton must call it (the emulator's real address); else config.slack. */
  slackConfig: SlackConfig | undefined;
  tracker: TicketTracker;
  /** The code host of repositories with `path:`, when baton.yml has any. */
  codeHost: LocalCodeHost | undefined;
  /** Baton's HTTP server is listening: the emulator delivers there from now on, and the person is told where to go. */
  batonIsUp(batonUrl: string): void;
  stop(): Promise<void>;
}

const RUN_LABELS: Record<string, string> = { base: 'Base commit', base_with_new_tests: 'Base commit + the new tests', change: 'With the change' };

/**
 * Local mode's parts, on their own server bound to LOCAL_HOST (127.0.0.1): the Slack emulator
 * (emulator mode only, and only in a process that serves Slack), the local tickets and pull
 * requests with their JSON, and the page. On the first start in emulator mode with the demo policy,
 * the demo repository and DEMO-1 are made.
 */
export async function startLocalParts(config: Config, deps: { pool: Pool; queue: Queue; log: Logger; web: boolean }): Promise<LocalParts> {
  const { pool, queue, log } = deps;
  const server = await startLocalServer({ host: config.local.host, port: config.local.port, log });
  const url = server.url;
  const stops: (() => Promise<void> | void)[] = [() => server.stop()];

  let slackConfig = config.slack;
  // Read at delivery time: Baton's own port is known only once its server listens, after Slack's start-up call.
  const emulatorOptions = config.local.emulator && deps.web && config.slack
    ? {
        botToken: config.slack.botToken,
        signingSecret: config.slack.signingSecret,
        batonEventsUrl: '',
        baseUrl: url,
        team: LOCAL_DEMO.team,
        bot: LOCAL_DEMO.bot,
        users: [LOCAL_DEMO.requester, LOCAL_DEMO.approver].map((u) => ({ id: u.id, name: u.name, real_name: u.real_name })),
        channels: [LOCAL_DEMO.channel].map((c) => ({ id: c.id, name: c.name })),
      }
    : undefined;
  if (emulatorOptions && config.slack) {
    const emulator = createSlackEmulator(emulatorOptions);
    server.mount(emulator.handle);
    stops.unshift(() => emulator.close());
    slackConfig = { ...config.slack, apiUrl: `${url}/api/` };
  }

  const tracker = createLocalTracker({ pool, pageUrl: url });
  const accept = createDeliveryAcceptor({ pool, queue });
  const localTeams = Object.entries(config.policy.teams).filter(([, team]) => team.tracker === 'local').map(([prefix]) => prefix);
  server.mount(
    localTicketRoutes({
      pool, pageUrl: url, teams: localTeams, log,
      // A person's change on a local ticket reaches intake the way a tracker's webhook does.
      onTicketEvent: async (event) => {
        await accept({ source: 'local', deliveryId: randomUUID(), eventName: `ticket.${event.kind}`, event });
      },
    }),
  );

  const onDisk = Object.fromEntries(
    Object.entries(config.policy.repos).flatMap(([name, repo]) => (repo.path ? [[name, { path: repo.path, base: repo.base, merge_method: repo.merge_method }]] : [])),
  );
  const codeHost = Object.keys(onDisk).length ? createLocalCodeHost({ pool, repos: onDisk, pageUrl: url, log }) : undefined;
  if (codeHost) {
    server.mount(
      localPullRoutes({
        pool, host: codeHost,
        // The checks of a local pull request are Baton's own test runs for the run behind it.
        checksFor: async (pull): Promise<LocalCheck[]> => {
          const run = await findRunByPullRequest(pool, pull.repo, pull.number);
          return (run?.outcome?.evidence.runs ?? []).map((r) => ({
            name: RUN_LABELS[r.label] ?? r.label,
            conclusion: r.timedOut ? 'timed_out' : r.exitCode === 0 ? 'success' : 'failure',
            summary: `\`${r.command}\` exited ${r.exitCode ?? 'by a signal'} in ${(r.durationMs / 1000).toFixed(1)} s${r.label === 'base_with_new_tests' ? ' (expected to fail: the new tests reproduce the bug)' : ''}`,
          }));
        },
      }),
    );
  }
  server.mount(localPageRoutes());

  if (config.local.emulator && config.policy.teams[LOCAL_DEMO.prefix]?.tracker === 'local') await seedDemo(config, pool, log);

  return {
    url,
    slackConfig,
    tracker,
    codeHost,
    batonIsUp(batonUrl) {
      if (emulatorOptions) emulatorOptions.batonEventsUrl = `${batonUrl}/slack/events`;
      const how = emulatorOptions
        ? 'Slack is emulated there; to connect a real workspace instead, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (README: Connect Slack)'
        : 'local tickets and pull requests are there';
      log.info({ url }, `Local mode: open ${url} (${how})`);
    },
    async stop() {
      for (const stop of stops) await stop();
    },
  };
}

/** The demo repository and DEMO-1, made once: a second start, or one with tickets already, adds nothing. */
async function seedDemo(config: Config, pool: Pool, log: Logger): Promise<void> {
  const repo = config.policy.repos[LOCAL_DEMO.repo];
  if (repo?.path === localDemoRepoPath(config.dataDir) && (await ensureDemoRepo(repo.path))) {
    log.info({ path: repo.path }, 'made the demo repository (calc, with a bug its tests do not catch yet)');
  }
  if ((await listLocalTickets(pool, { team: LOCAL_DEMO.prefix, limit: 1 })).length > 0) return;
  const ticket = await insertLocalTicket(pool, {
    team: LOCAL_DEMO.prefix, title: DEMO_TICKET.title, description: DEMO_TICKET.description, labels: [...DEMO_TICKET.labels],
    priority: 'medium', reporter: LOCAL_DEMO.requester.real_name, state: LOCAL_INITIAL_STATE, by: LOCAL_DEMO.requester.id,
  });
  log.info({ ticket: ticket.key }, `made the demo ticket ${ticket.key}: type /agent fix ${ticket.key} in the page`);
}
