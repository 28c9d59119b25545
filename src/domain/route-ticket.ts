import type { TeamPolicy } from '../policy.ts';

export type TrackerName = 'linear' | 'jira' | 'local';

export type TrackerLabel = 'Linear' | 'Jira' | 'the local tracker';

export const TRACKER_LABELS: Record<TrackerName, TrackerLabel> = { linear: 'Linear', jira: 'Jira', local: 'the local tracker' };

export interface TicketRoute {
  prefix: string;
  team: TeamPolicy;
}

/** The ticket key's prefix (`ENG` of `ENG-123`), upper-cased as trackers print it. */
export function ticketPrefix(key: string): string {
  return key.slice(0, Math.max(0, key.lastIndexOf('-'))).toUpperCase();
}

/** Which configured team (and so tracker, channel and repository) a ticket key belongs to. */
export function routeTicket(teams: Readonly<Record<string, TeamPolicy>>, key: string): TicketRoute | undefined {
  const prefix = ticketPrefix(key);
  // The prefix comes from a typed key or a payload: only the teams baton.yml lists, never Object's own names.
  const team = Object.hasOwn(teams, prefix) ? teams[prefix] : undefined;
  return team ? { prefix, team } : undefined;
}

/** The repository for a ticket: the first label with its own repository, else the team's. */
export function repoForTicket(team: TeamPolicy, labels: readonly string[]): string | undefined {
  const byLabel = new Map(Object.entries(team.label_repos).map(([label, repo]) => [label.toLowerCase(), repo]));
  for (const label of labels) {
    const repo = byLabel.get(label.toLowerCase());
    if (repo) return repo;
  }
  return team.repo;
}
