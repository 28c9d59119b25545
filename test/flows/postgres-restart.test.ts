import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createPool, type Pool } from '../../src/db/pool.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { sendSignedSlack, slashCommandBody } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';
import { eventually } from '../support/eventually.ts';
import { findPgBin, startPgCluster, type PgCluster } from '../support/pg-cluster.ts';
import { spawnBaton, type BatonProcess } from '../support/spawn-baton.ts';
import { linearDelivery, sendDelivery, type WebhookAnswer, type WebhookDelivery } from '../support/webhook-deliveries.ts';

/*
 * "A PostgreSQL restart under load loses no job and no delivery." Baton (`baton start --role
 * all`, a separate process) on a PostgreSQL cluster of this test's own, while signed Linear
 * deliveries (each a ticket labelled `baton`, which starts a run) and `/agent fix` commands stream
 * in: the cluster is restarted (`pg_ctl restart -m fast`) and later stopped for two seconds
 * mid-stream. Whatever Baton could not record must have been refused with a status the sender
 * retries (5xx); the senders retry, as Linear and a person would; then every delivery has exactly
 * one row and one `intake.event` job, every job ran to completion, and every ticket has exactly
 * one run that went as far as it can here (thread open, ticket read, waiting for a model, which
 * this Baton has none of on purpose: a run costs no agent).
 */

const LINEAR_SECRET = 'lin_wh_pg_restart_3d91';
const CHANNEL = 'C0PGRESTART';
const DELIVERIES = 120;
const COMMANDS = 30;
/** Between two sends: the stream lasts 6 s, and the restart (at 1.5 s) and the outage (3.5 s to 5.5 s) land among requests in flight. */
const PACE_MS = 50;
const RESTART_AT_MS = 1_500;
const OUTAGE_AT_MS = 3_500;
const OUTAGE_MS = 2_000;

const bin = findPgBin();
const needsPostgres = !bin && 'needs the PostgreSQL server binaries (initdb and pg_ctl under /usr/lib/postgresql/<version>/bin)';

let cluster: PgCluster | undefined;
let pool: Pool;
let slack: FakeSlack;
let linear: FakeLinear;
let baton: BatonProcess | undefined;
let batonEnv: Record<string, string>;
let cwd: string;
/** Each time Baton's process died on its own: its exit code and last words. A supervisor starts it again. */
const crashes: string[] = [];
let supervising = true;
const schema = 'baton_pg_restart';
const jobs = `${schema}_jobs.job`;

const ticketOfDelivery = (i: number): string => `ENG-${1 + i}`;
const ticketOfCommand = (i: number): string => `ENG-${501 + i}`;

before(async () => {
  if (!bin) return;
  cluster = await startPgCluster(bin);
  pool = createPool({ url: cluster.url, schema, max: 2 });
  // The restart ends this pool's idle connections too; the pool makes new ones, and the test says so.
  pool.on('error', () => undefined);
  // ts values from the real clock, as Slack's: a retry looks for the root it may have posted by time.
  slack = new FakeSlack({ clock: Date.now });
  linear = new FakeLinear();
  await Promise.all([slack.start(), linear.start()]);
  linear.addTeam({ key: 'ENG', name: 'Engineering' });
  linear.addLabel({ name: 'baton' });
  for (const key of [...Array.from({ length: DELIVERIES }, (_, i) => ticketOfDelivery(i)), ...Array.from({ length: COMMANDS }, (_, i) => ticketOfCommand(i))]) {
    linear.addIssue({ team: 'ENG', number: Number(key.split('-')[1]), title: `Restart ${key}`, description: 'Steps…', labels: ['baton'] });
  }
  cwd = mkdtempSync(join(tmpdir(), 'baton-pg-restart-'));
  writeFileSync(join(cwd, 'baton.yml'), stringify({
    queue: { poll_interval_seconds: 0.5, shutdown_grace_seconds: 1 },
    // A run.fix that the restart left `active` is sent again by the watchdog on the next tick.
    scheduling: { reconcile_interval_minutes: 1, agent_lease_seconds: 10 },
    teams: { ENG: { tracker: 'linear', channel: CHANNEL, intake: { label: 'baton' } } },
  }));
  batonEnv = {
      DATABASE_URL: cluster.url,
      DATABASE_SCHEMA: schema,
      HTTP_RETRIES: '0',
      LOG_LEVEL: 'info',
      DATA_DIR: join(cwd, 'data'),
      SLACK_BOT_TOKEN: SLACK_DEFAULTS.botToken,
      SLACK_SIGNING_SECRET: SLACK_DEFAULTS.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      LINEAR_API_KEY: linear.apiKey,
      LINEAR_API_URL: linear.apiUrl,
      LINEAR_WEBHOOK_SECRET: LINEAR_SECRET,
  };
  await startSupervised();
});

/**
 * Baton as a supervisor (systemd, Kubernetes) runs it: started again whenever it exits. Every
 * exit is recorded, and the test fails on any at the end, after checking what the restarts cost.
 */
async function startSupervised(): Promise<void> {
  for (;;) {
    // A start while the database is down fails (Baton migrates first); the supervisor tries again.
    const started = await spawnBaton({ cwd, args: ['--role', 'all'], env: batonEnv }).catch(() => undefined);
    if (!supervising) return void (await started?.stop('SIGKILL'));
    if (!started) {
      await sleep(1_000);
      continue;
    }
    baton = started;
    started.child.once('exit', (code, signal) => {
      if (!supervising) return;
      // Its own log lines are JSON; what Node printed as it died is not.
      const died = started.output.filter((line) => !line.startsWith('{')).slice(0, 12).join('');
      crashes.push(`Baton exited (${code ?? signal}):\n${died}`);
      void startSupervised();
    });
    return;
  }
}

/** Baton's URL once a process is up (after a crash, the supervisor's next one). */
async function batonUrl(): Promise<string> {
  return eventually(async () => (baton && baton.child.exitCode === null && baton.child.signalCode === null ? baton.url : undefined), 60_000, 'Baton to be up');
}

after(async () => {
  supervising = false;
  await baton?.stop('SIGKILL');
  await pool?.end().catch(() => undefined);
  await Promise.all([slack?.stop(), linear?.stop()]);
  await cluster?.destroy();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const say = (line: string): void => console.log(`pg-restart: ${line}`);

/** One answer a sender got: an HTTP status, or 0 when the connection failed without one; and when it came. */
type Outcome = { status: number; body: string; at: number };

const post = async (delivery: WebhookDelivery): Promise<Outcome> =>
  sendDelivery(await batonUrl(), delivery).then(
    (a: WebhookAnswer) => ({ status: a.status, body: a.text, at: Date.now() }),
    (error: unknown) => ({ status: 0, body: String(error), at: Date.now() }),
  );

const command = async (key: string): Promise<Outcome> =>
  sendSignedSlack(`${await batonUrl()}/slack/events`, 'command', slashCommandBody({ text: `fix ${key}`, channel_id: CHANNEL }), { secret: SLACK_DEFAULTS.signingSecret })
    .then(
      (a) => ({ status: a.status, body: (a.json as { text?: string } | undefined)?.text ?? a.text, at: Date.now() }),
      (error: unknown) => ({ status: 0, body: String(error), at: Date.now() }),
    );

/** Slack's answer to a command that was queued (or found its run already there), not an apology. */
const commandTaken = (o: Outcome): boolean => o.status === 200 && /Queued|already/i.test(o.body);

// Issue 11. Baton no longer exits here: pg-boss's unawaited complete()/fail() rejections are
// logged and survived (src/handle-unhandled-rejections.ts); jobs whose completion the outage lost
// are released by their lapsed job lease; a run.fix cut off while opening its thread waits out the
// thread lease (the scheduling lease, at least 30 s), then finds the root it may have posted.
test('PostgreSQL restarted and stopped under a stream of deliveries and commands: nothing lost, nothing twice, refusals retryable', {
  skip: needsPostgres,
}, async () => {
  const c = cluster!;
  const deliveries = Array.from({ length: DELIVERIES }, (_, i) =>
    linearDelivery('linear-issue-create.json', { key: ticketOfDelivery(i), labels: ['baton'] }, { secret: LINEAR_SECRET }));
  const firstAnswers: Promise<Outcome>[] = [];
  const commandAnswers: Promise<Outcome>[] = [];
  const downtimes: string[] = [];
  let upAgainAt = 0;

  // The stream, with the cluster restarted, and later stopped for OUTAGE_MS, while it flows.
  const streamStart = Date.now();
  const disruptions = (async () => {
    await sleep(RESTART_AT_MS);
    downtimes.push(`restart at +${Date.now() - streamStart} ms took ${await c.restart()} ms`);
    await sleep(OUTAGE_AT_MS - (Date.now() - streamStart));
    const stoppedAt = Date.now();
    await c.stopServer();
    await sleep(OUTAGE_MS);
    await c.start();
    upAgainAt = Date.now();
    downtimes.push(`stopped at +${stoppedAt - streamStart} ms for ${Date.now() - stoppedAt} ms`);
  })();
  for (let i = 0; i < DELIVERIES; i += 1) {
    firstAnswers.push(post(deliveries[i]!));
    if (i % (DELIVERIES / COMMANDS) === 0) commandAnswers.push(command(ticketOfCommand(commandAnswers.length)));
    await sleep(PACE_MS);
  }
  await disruptions;
  const first = await Promise.all(firstAnswers);
  const firstCommands = await Promise.all(commandAnswers);

  // What the senders were told the first time: taken (200), or refused with a status they retry.
  const refused = first.filter((o) => o.status !== 200);
  say(`${DELIVERIES} deliveries and ${COMMANDS} commands streamed; ${downtimes.join(', ')}; Baton crashed ${crashes.length} time(s) meanwhile`);
  say(`deliveries answered 200 at once: ${DELIVERIES - refused.length}; refused: ${refused.length} (${[...new Set(refused.map((o) => o.status))].join(', ') || 'none'})`);
  for (const crash of crashes) say(crash.replace(/\n/g, '\n# pg-restart:   '));
  say(`commands taken at once: ${firstCommands.filter(commandTaken).length}; told to try again: ${firstCommands.filter((o) => !commandTaken(o)).length}`);
  // Back in service: the first delivery Baton took (200) after PostgreSQL was up again.
  const acceptedAgain = Math.min(...first.filter((o) => o.status === 200 && o.at >= upAgainAt).map((o) => o.at));
  say(`first delivery taken ${Number.isFinite(acceptedAgain) ? `${acceptedAgain - upAgainAt} ms` : 'never (in the stream)'} after PostgreSQL was up again`);
  for (const o of refused) assert.ok(o.status === 0 || o.status >= 500, `a refusal the sender retries, not ${o.status}: ${o.body}`);
  for (const o of firstCommands.filter((x) => !commandTaken(x))) {
    assert.ok(o.status === 0 || /try again|not reachable|Nothing was saved/i.test(o.body), `a command Baton did not take says so: ${o.body}`);
  }

  // The senders retry what was not taken, as Linear does (same delivery id and bytes) and as a person retypes a command.
  const retried = { deliveries: 0, commands: 0 };
  const taken = first.map((o) => o.status === 200);
  await eventually(async () => {
    for (const [i, d] of deliveries.entries()) {
      if (taken[i]) continue;
      retried.deliveries += 1;
      taken[i] = (await post(d)).status === 200;
    }
    return taken.every(Boolean) || undefined;
  }, 60_000, 'every delivery taken on a retry');
  for (const [i, o] of firstCommands.entries()) {
    if (commandTaken(o)) continue;
    await eventually(async () => {
      retried.commands += 1;
      return commandTaken(await command(ticketOfCommand(i)));
    }, 60_000, `${ticketOfCommand(i)} taken on a retry`);
  }
  say(`retries until taken: ${retried.deliveries} delivery sends, ${retried.commands} command sends`);

  // Every delivery: one row, one intake.event job; every job ran to completion; one run per ticket that read its ticket.
  const keys = [...deliveries.map((_, i) => ticketOfDelivery(i)), ...firstCommands.map((_, i) => ticketOfCommand(i))];
  // Settled: every delivery's intake.event completed, every ticket's run read its ticket (it then
  // waits for a model), and no job waits. A job whose completion the outage lost stays `active`
  // until its lease lapses (10 s here) and is released; the wait is long so that a failure shows
  // where everything stands rather than a timeout.
  const settledAt = Date.now();
  const ids = deliveries.map((d) => d.deliveryId);
  const progress = async (): Promise<{ intakeDone: number; runsRead: number; waiting: number }> => {
    const { rows } = await pool.query<{ intake_done: string; runs_read: string; waiting: string }>(
      `SELECT (SELECT count(*) FROM ${jobs} WHERE name = 'intake.event' AND state = 'completed' AND data->>'deliveryId' = ANY($1)) AS intake_done,
              (SELECT count(*) FROM runs WHERE waiting_for_agent) AS runs_read,
              (SELECT count(*) FROM ${jobs} WHERE name NOT LIKE '\\_\\_pgboss%' AND name <> 'intake.reconcile' AND state IN ('created', 'retry')) AS waiting`,
      [ids],
    );
    return { intakeDone: Number(rows[0]!.intake_done), runsRead: Number(rows[0]!.runs_read), waiting: Number(rows[0]!.waiting) };
  };
  const done = await eventually(async () => {
    // A crash is the finding: what the dead process held waits for pg-boss's expiry (intake.event:
    // 5 minutes), so the test stops here rather than wait for it.
    if (crashes.length) assert.fail(`Baton did not survive the restart and the outage:\n${crashes.join('\n')}`);
    const now = await progress().catch(() => undefined);
    // A job released after the outage (its worker's record of the completion lost) waits for its
    // retry, which ends at once: settled means none is left waiting either.
    return now && now.intakeDone === DELIVERIES && now.runsRead === keys.length && now.waiting === 0 ? now : undefined;
  }, 9 * 60_000, 'every intake.event completed, every run past reading its ticket, and no job waiting').catch(async (error: unknown) => {
    if (error instanceof assert.AssertionError) throw error;
    const { rows } = await pool.query(`SELECT name, state, started_on, data->>'runId' AS run_id, data->>'deliveryId' AS delivery_id FROM ${jobs}
      WHERE name NOT LIKE '\\_\\_pgboss%' AND state IN ('created', 'retry', 'active') ORDER BY created_on`);
    throw new Error(`${(error as Error).message}: ${JSON.stringify(await progress())}; jobs not done: ${JSON.stringify(rows, null, 1)}\n${crashes.join('\n')}`);
  });
  say(`settled ${((Date.now() - settledAt) / 1000).toFixed(1)} s after the last retry: ${done.intakeDone} intake.event jobs completed, ${done.runsRead} runs read their ticket`);
  const { rows: late } = await pool.query<{ name: string; last_ms: string; retries: string; retried: string }>(
    `SELECT name, (extract(epoch FROM max(completed_on)) * 1000)::bigint AS last_ms, max(retry_count) AS retries, count(*) FILTER (WHERE retry_count > 0) AS retried
       FROM ${jobs} WHERE name IN ('intake.event', 'run.fix') AND state = 'completed' GROUP BY name ORDER BY name`,
  );
  const rescued = await pool.query<{ n: string }>("SELECT count(*) AS n FROM audit_log WHERE action = 'run.rescued'");
  say(`last completions after the stream began: ${late.map((r) => `${r.name} +${((Number(r.last_ms) - streamStart) / 1000).toFixed(1)} s (${r.retried} retried, at most ${r.retries} times)`).join(', ')}; runs the watchdog sent again: ${rescued.rows[0]!.n}`);

  const { rows: rowsPerDelivery } = await pool.query<{ delivery_id: string; rows: string; jobs: string; done: string }>(
    `SELECT d.id AS delivery_id,
            (SELECT count(*) FROM deliveries WHERE source = 'linear' AND delivery_id = d.id) AS rows,
            (SELECT count(*) FROM ${jobs} WHERE name = 'intake.event' AND data->>'deliveryId' = d.id) AS jobs,
            (SELECT count(*) FROM ${jobs} WHERE name = 'intake.event' AND data->>'deliveryId' = d.id AND state = 'completed') AS done
       FROM unnest($1::text[]) AS d(id)`,
    [deliveries.map((d) => d.deliveryId)],
  );
  // Every finding is gathered before any is asserted, so one failure shows them all.
  const problems: string[] = [];
  const wrong = rowsPerDelivery.filter((r) => r.rows !== '1' || r.jobs !== '1' || r.done !== '1');
  if (wrong.length) problems.push(`deliveries without exactly one row and one completed intake.event job: ${JSON.stringify(wrong)}`);

  const { rows: runs } = await pool.query<{ ticket_key: string; n: string; threads: string }>(
    'SELECT ticket_key, count(*) AS n, count(thread_ts) AS threads FROM runs GROUP BY ticket_key ORDER BY ticket_key',
  );
  const badRuns = runs.filter((r) => r.n !== '1' || r.threads !== '1');
  if (badRuns.length) problems.push(`tickets without exactly one run with its thread: ${JSON.stringify(badRuns)}`);
  const missing = keys.filter((k) => !runs.some((r) => r.ticket_key === k));
  if (missing.length) problems.push(`tickets with no run: ${missing.join(', ')}`);

  // Slack: one thread root per run (a root is posted before the run can record it).
  const roots = new Map<string, number>();
  for (const root of slack.threadRoots(CHANNEL)) {
    const key = /ENG-\d+/.exec(root.text)?.[0] ?? root.text;
    roots.set(key, (roots.get(key) ?? 0) + 1);
  }
  const twice = [...roots].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
  say(`thread roots: ${slack.threadRoots(CHANNEL).length} for ${keys.length} runs${twice.length ? ` (more than one: ${twice.join(', ')})` : ''}`);
  if (twice.length) problems.push(`tickets with more than one thread root: ${twice.join(', ')}`);

  const { rows: failed } = await pool.query(`SELECT name, output FROM ${jobs} WHERE state = 'failed'`);
  if (failed.length) problems.push(`failed jobs: ${JSON.stringify(failed)}`);

  // A job still waiting or held now is unfinished work, unless it is a run.fix whose run is past
  // it (read its ticket): its work was done, but the outage lost pg-boss's record of its
  // completion, so it stays `active` until its job lease lapses and a worker releases it, and its
  // retry then ends at once.
  const { rows: leftover } = await pool.query<{ name: string; state: string; ticket_key: string | null; done: boolean | null }>(
    `SELECT j.name, j.state, r.ticket_key, r.waiting_for_agent AS done FROM ${jobs} j LEFT JOIN runs r ON r.id::text = j.data->>'runId'
      WHERE j.name NOT LIKE '\\_\\_pgboss%' AND j.name <> 'intake.reconcile' AND j.state IN ('created', 'retry', 'active')`,
  );
  const completionLost = leftover.filter((j) => j.name === 'run.fix' && j.state === 'active' && j.done);
  say(`jobs whose work was done but whose completion the outage lost (\`active\` until their lease lapses): ${completionLost.length}`);
  const unfinished = leftover.filter((j) => !completionLost.includes(j));
  if (unfinished.length) problems.push(`jobs left unfinished: ${JSON.stringify(unfinished)}`);

  // Linear redelivers (a retry carries the same Linear-Delivery id, signed again with a fresh
  // webhookTimestamp): everything already taken is a duplicate, and starts nothing.
  const redelivered = await Promise.all(deliveries.map((d, i) =>
    post(linearDelivery('linear-issue-create.json', { key: ticketOfDelivery(i), labels: ['baton'] }, { secret: LINEAR_SECRET, deliveryId: d.deliveryId }))));
  const answers = [...new Set(redelivered.map((o) => `${o.status} ${o.body}`))];
  if (answers.length !== 1 || answers[0] !== '200 {"status":"duplicate"}') problems.push(`redeliveries answered ${answers.join(' | ')}`);
  const { rows: totals } = await pool.query<{ jobs: string; runs: string }>(
    `SELECT (SELECT count(*) FROM ${jobs} WHERE name = 'intake.event') AS jobs, (SELECT count(*) FROM runs) AS runs`,
  );
  if (totals[0]!.jobs !== String(DELIVERIES) || totals[0]!.runs !== String(keys.length)) problems.push(`after redelivery: ${JSON.stringify(totals[0])}`);

  const beyondOne = wrong.length + badRuns.length + twice.length;
  say(`deliveries or tickets not exactly once (a delivery row, an intake.event job, a run, a thread root): ${beyondOne}; thread roots twice: ${twice.length}`);
  // What pg-boss left unhandled and Baton logged and survived (repeats of one cause go to debug).
  const survived = (baton?.output ?? []).filter((line) => line.includes('unhandled rejection from a lost database connection'));
  say(`unhandled rejections from the lost database logged and survived: ${survived.length} distinct cause(s)`);
  problems.push(...crashes);
  assert.deepEqual(problems, []);
});
