import pino from 'pino';
import { insertApproval, openApprovalRequest, setRequestMessage } from '../../src/db/approvals.ts';
import { storeConsensus } from '../../src/db/consensus-results.ts';
import { migrate } from '../../src/db/migrate.ts';
import { getRun, insertRun, setPullRequest, setStatusMessage, setThreadRoot, setTicketDetails, transitionRun } from '../../src/db/runs.ts';
import type { Run } from '../../src/domain/run.ts';
import { createGitHubClient } from '../../src/integrations/github/create-github-client.ts';
import { createSlackClient } from '../../src/integrations/slack.ts';
import { createLinearTracker } from '../../src/integrations/trackers/linear-tracker.ts';
import type { GateMergeDeps } from '../../src/jobs/gate-merge.ts';
import { createQueue, type Queue } from '../../src/jobs/queue.ts';
import { createTrackerRoutes } from '../../src/jobs/tracker-routes.ts';
import { policySchema, type Policy } from '../../src/policy.ts';
import { FakeGitHub } from '../fakes/fake-github.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/*
 * A run where the merge gate leaves it: ENG-7's PR #1 open on the fake GitHub at `headSha` with CI
 * green, its thread (root, status message and review card) on the fake Slack, the ticket on the
 * fake Linear (stock states, Done among them), the consensus stored for the head, and the run
 * `merging` with Ada's approval row, as the Approve click leaves it. Deploy workflows exist on
 * acme/app; the policy decides which ones the repository uses.
 */

export const APPROVER = 'U0ADA';

export interface AfterApproval {
  db: TestDatabase;
  github: FakeGitHub;
  slack: FakeSlack;
  linear: FakeLinear;
  queue: Queue;
  run: Run;
  headSha: string;
  threadTs: string;
  cardTs: string;
  deps: GateMergeDeps;
  /** The jobs of `name` enqueued so far, as their payloads. */
  jobs(name: string): Promise<Record<string, unknown>[]>;
  /** Completes every dispatched workflow run with `conclusion` the next time Baton polls it (null: leave it running). */
  deploysEndWith(conclusion: 'success' | 'failure' | null): void;
}

export async function startAfterApproval(
  t: { after: (fn: () => Promise<void>) => void },
  options: { deploy?: { staging?: string; production?: string; timeout_minutes?: number }; approve?: boolean } = {},
): Promise<AfterApproval> {
  const db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  const github = new FakeGitHub();
  const slack = new FakeSlack();
  const linear = new FakeLinear();
  await Promise.all([github.start(), slack.start(), linear.start()]);
  const log = pino({ level: 'silent' });
  const queue = createQueue({ pool: db.pool, schema: `${db.schema}_jobs`, pollIntervalSeconds: 1, log, supervise: false, listen: false });
  await queue.start();
  t.after(async () => {
    await queue.stop(1);
    await Promise.all([github.stop(), slack.stop(), linear.stop()]);
    await db.drop();
  });

  linear.addTeam({ key: 'ENG', name: 'Engineering' });
  linear.addIssue({ team: 'ENG', number: 7, title: 'Handle an empty cart' });
  github.seedRepo({
    owner: 'acme', name: 'app', mergeMethods: ['squash', 'merge'],
    workflows: [{ name: 'Deploy staging', path: '.github/workflows/deploy-staging.yml' }, { name: 'Deploy production', path: '.github/workflows/deploy-production.yml' }],
  });
  const branch = 'baton/ENG-7-handle-an-empty-cart';
  const headSha = github.setHead('acme', 'app', branch);
  const number = github.seedPull('acme', 'app', { head: branch, title: 'ENG-7: Handle an empty cart' });
  github.addCheckRun('acme', 'app', headSha, { name: 'test', conclusion: 'success' });

  const slackClient = createSlackClient({ apiUrl: slack.apiUrl, token: slack.botToken, retries: 0 });
  const inserted = (await insertRun(db.pool, { ticketKey: 'ENG-7', source: 'slack', requestedBy: 'U0REQ', channelId: 'C1', priority: 0 }))!;
  const root = await slackClient.postMessage('C1', { text: 'ENG-7' });
  await setThreadRoot(db.pool, inserted.id, root.ts, await slackClient.permalink('C1', root.ts));
  await setStatusMessage(db.pool, inserted.id, (await slackClient.postMessage('C1', { text: 'status' }, root.ts)).ts);
  await setTicketDetails(db.pool, inserted.id, { title: 'Handle an empty cart', url: 'https://linear.app/acme/issue/ENG-7', priority: 'medium' });
  await setPullRequest(db.pool, inserted.id, { repo: 'acme/app', branch, number, url: `https://github.com/acme/app/pull/${number}`, headSha });
  await storeConsensus(db.pool, inserted.id, {
    consensus: {
      headSha, score: 0.93, vetoes: [],
      components: {
        security: { score: 1, weight: 0.4, rubric: 'no finding' },
        blast_radius: { score: 0.9, weight: 0.3, rubric: 'one module' },
        action_plan: { score: 0.85, weight: 0.3, rubric: 'rollback planned' },
      },
    },
    reviews: [],
    diff: '',
  });
  const { request } = await openApprovalRequest(db.pool, { runId: inserted.id, gate: 'merge', headSha, expiresAt: null });
  const card = await slackClient.postMessage('C1', { text: 'review card' }, root.ts);
  await setRequestMessage(db.pool, request.id, 'C1', card.ts);
  await transitionRun(db.pool, inserted.id, ['queued'], 'merging', 'Approved; merging.');
  if (options.approve !== false) {
    await insertApproval(db.pool, { runId: inserted.id, gate: 'merge', headSha, decision: 'approved', decidedBy: APPROVER, via: 'click' });
  }

  const policy: Policy = policySchema.parse({
    teams: { ENG: { tracker: 'linear', channel: 'C1', repo: 'acme/app' } },
    repos: { 'acme/app': { merge_method: 'squash', required_checks: ['test'], deploy: { poll_seconds: 0.05, ...options.deploy } } },
    gates: { merge: { approvers: [APPROVER], expire_hours: 24 }, production: { approvers: [APPROVER] } },
  });
  const deps: GateMergeDeps = {
    pool: db.pool,
    slack: slackClient,
    github: createGitHubClient({ apiUrl: github.url, auth: { kind: 'token', token: 'ghs_test' }, retries: 0 }),
    routes: createTrackerRoutes(policy.teams, { linear: createLinearTracker({ apiUrl: linear.apiUrl, apiKey: linear.apiKey }) }),
    queue,
    policy,
    log,
  };

  let ending: 'success' | 'failure' | null = 'success';
  github.onRequest((req) => {
    const match = /\/actions\/runs\/(\d+)$/.exec(req.path);
    if (req.method !== 'GET' || !match || ending === null) return;
    const run = github.store.run(Number(match[1]));
    if (run.status !== 'completed') github.completeWorkflowRun(run.id, ending);
  });

  return {
    db, github, slack, linear, queue, headSha, threadTs: root.ts, cardTs: card.ts, deps,
    run: (await getRun(db.pool, inserted.id))!,
    async jobs(name) {
      const { rows } = await db.pool.query<{ data: Record<string, unknown> }>(`SELECT data FROM ${db.schema}_jobs.job WHERE name = $1 ORDER BY created_on`, [name]);
      return rows.map((r) => r.data);
    },
    deploysEndWith(conclusion) {
      ending = conclusion;
    },
  };
}
