import { pruneDeliveries } from '../db/deliveries.ts';
import type { Pool } from '../db/pool.ts';
import { latestRunForTicket, listActiveRunsOldestFirst } from '../db/runs.ts';
import type { NewRun } from '../domain/run.ts';
import type { ReadyRule } from '../domain/ticket.ts';
import type { SlackClient } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';
import { listUnannouncedEnds } from '../db/run-announcements.ts';
import { ticketMayCancel } from '../domain/intake-decision.ts';
import { announceRunEnd } from './announce-run-end.ts';
import { cancelForClosedTicket, readClosure } from './cancel-for-closed-ticket.ts';
import { describeError } from './errors.ts';
import type { StartRunResult } from './start-run.ts';
import type { TrackerRoutes } from './tracker-routes.ts';

export interface ReconcileDeps {
  pool: Pool;
  slack: SlackClient | undefined;
  routes: TrackerRoutes;
  startRun(input: NewRun): Promise<StartRunResult>;
  /** Later stages poll GitHub here for runs that wait on a PR (GitHub never redelivers). */
  extraPolls?: (() => Promise<void>)[];
  /** How old an undelivered end notice must be before the sweep posts it (default 120 s). */
  announceAfterSeconds?: number;
  log: Logger;
}

const DELIVERY_RETENTION_DAYS = 7;

export interface ReconcileReport {
  started: string[];
  cancelled: string[];
  /** Runs whose end notice had not reached Slack and now did. */
  announced: string[];
  /** One line per team or ticket the trackers could not answer for; the next tick tries again. */
  problems: string[];
  /** Delivery rows older than the retention, removed. */
  pruned: number;
}

/**
 * `intake.reconcile`, on a schedule: webhooks are fast but can be missed (Baton was down, or has
 * no public URL in Socket Mode), so ask each tracker for ready tickets and start the missing runs,
 * and ask about each active run's ticket to catch ones closed behind Baton's back. Every start
 * goes through startRun, so a ticket that also arrives by webhook or slash command gets one run.
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const log = deps.log.child({ job: 'intake.reconcile' });
  const report: ReconcileReport = { started: [], cancelled: [], announced: [], problems: [], pruned: 0 };

  for (const route of deps.routes.teams()) {
    const { prefix, team } = route;
    if (!team.intake) continue;
    // The intake rule is "gains the label OR enters the state"; a tracker query answers one of them.
    const rules: ReadyRule[] = [];
    if (team.intake.label) rules.push({ team: prefix, label: team.intake.label });
    if (team.intake.state) rules.push({ team: prefix, state: team.intake.state });
    try {
      const seen = new Set<string>();
      const ready = (await Promise.all(rules.map((rule) => route.tracker.findReady(rule)))).flat();
      for (const ticket of ready) {
        if (seen.has(ticket.key)) continue;
        seen.add(ticket.key);
        // A ticket Baton already ran is not "missed": a run that failed or was cancelled starts
        // again only when a person asks (a new label event or /agent fix), never on every tick.
        if (await latestRunForTicket(deps.pool, ticket.key)) continue;
        const result = await deps.startRun({
          ticketKey: ticket.key,
          source: 'reconcile',
          requestedBy: `${route.trackerLabel} poll`,
          channelId: team.channel,
          ticketPriority: ticket.priority,
        });
        if (result.kind === 'started') report.started.push(ticket.key);
      }
    } catch (error) {
      report.problems.push(`${prefix} (${route.trackerLabel}): ${describeError(error)}`);
      log.warn({ err: error, team: prefix }, 'could not poll the tracker for ready tickets; the next tick tries again');
    }
  }

  for (const run of await listActiveRunsOldestFirst(deps.pool)) {
    const route = deps.routes.resolve(run.ticketKey);
    // Merging, deploying or on a PR: GitHub's merge or close ends the run, whatever the ticket says.
    if (!route || !ticketMayCancel(run)) continue;
    try {
      // A ticket deleted in the tracker ("not found") ends its run like a closed one.
      const closure = await readClosure(run.ticketKey, route);
      const cancelled = await cancelForClosedTicket(run, closure, `${route.trackerLabel} poll`, route, deps);
      if (cancelled) report.cancelled.push(run.ticketKey);
    } catch (error) {
      report.problems.push(`${run.ticketKey}: ${describeError(error)}`);
      log.warn({ err: error, ticket: run.ticketKey }, 'could not check an active run’s ticket; the next tick tries again');
    }
  }

  // Ends whose notice never reached Slack (Slack was down, or the process died right after the end).
  for (const runId of await listUnannouncedEnds(deps.pool, deps.announceAfterSeconds ?? 120)) {
    try {
      if (await announceRunEnd(runId, deps)) report.announced.push(runId);
    } catch (error) {
      report.problems.push(`run ${runId} end notice: ${describeError(error)}`);
      log.warn({ err: error, runId }, 'could not post a run’s end notice; the next tick tries again');
    }
  }

  for (const poll of deps.extraPolls ?? []) await poll();
  // Senders redeliver within hours (GitHub's manual redelivery reaches back 3 days); past a week
  // a delivery row only costs space, and the table would otherwise grow with every webhook.
  report.pruned = await pruneDeliveries(deps.pool, DELIVERY_RETENTION_DAYS);
  if (report.started.length || report.cancelled.length || report.announced.length || report.problems.length) log.info(report, 'reconciled');
  return report;
}
