import { unknownTicketPrefixMessage } from '../bot/views/ticket-event-messages.ts';
import { routeTicket, TRACKER_LABELS, type TicketRoute, type TrackerLabel, type TrackerName } from '../domain/route-ticket.ts';
import type { TicketTracker } from '../integrations/trackers/ticket-tracker.ts';
import type { TeamPolicy } from '../policy.ts';
import { PermanentError } from './errors.ts';

export interface ResolvedTicket {
  prefix: string;
  team: TeamPolicy;
  trackerName: TrackerName;
  /** "Linear" or "Jira", for people. */
  trackerLabel: TrackerLabel;
  tracker: TicketTracker;
}

export interface TrackerRoutes {
  /** The team and tracker for a ticket key, or undefined for a prefix baton.yml does not list. */
  resolve(key: string): ResolvedTicket | undefined;
  /** Like resolve, but an unknown prefix is a permanent failure naming the configured ones. */
  require(key: string): ResolvedTicket;
  prefixes(): { prefix: string; tracker: TrackerLabel }[];
  /** Every configured team with its tracker. */
  teams(): ResolvedTicket[];
}

/** baton.yml's `teams` joined with the tracker clients main.ts built (config.ts checked both exist). */
export function createTrackerRoutes(
  teams: Readonly<Record<string, TeamPolicy>>,
  trackers: Partial<Record<TrackerName, TicketTracker>>,
): TrackerRoutes {
  const prefixes = (): { prefix: string; tracker: TrackerLabel }[] =>
    Object.entries(teams).map(([prefix, team]) => ({ prefix, tracker: TRACKER_LABELS[team.tracker] }));
  const withTracker = (route: TicketRoute | undefined): ResolvedTicket | undefined => {
    const tracker = route && trackers[route.team.tracker];
    if (!route || !tracker) return undefined;
    return { ...route, trackerName: route.team.tracker, trackerLabel: TRACKER_LABELS[route.team.tracker], tracker };
  };
  const resolve = (key: string): ResolvedTicket | undefined => withTracker(routeTicket(teams, key));
  return {
    resolve,
    require(key) {
      const resolved = resolve(key);
      if (resolved) return resolved;
      // The same sentence the slash command answers with, for a run that reached a worker anyway.
      throw new PermanentError('unknown_ticket_prefix', unknownTicketPrefixMessage(key, prefixes()).text);
    },
    prefixes,
    teams: () => Object.entries(teams).flatMap(([prefix, team]) => withTracker({ prefix, team }) ?? []),
  };
}
