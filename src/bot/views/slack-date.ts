const pad = (n: number): string => String(n).padStart(2, '0');

function valid(at: Date): boolean {
  return Number.isFinite(at.getTime());
}

/** "14:02 UTC": what a client that cannot format the date shows, and what notifications show. */
export function plainTime(at: Date): string {
  return valid(at) ? `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())} UTC` : 'an unknown time';
}

/** "2026-12-04 14:02 UTC" */
export function plainDateTime(at: Date): string {
  if (!valid(at)) return 'an unknown time';
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())} ${plainTime(at)}`;
}

/**
 * Slack's date formatting (`<!date^unix^format|fallback>`): each reader sees the time in their own
 * timezone; the fallback (UTC) is for clients that cannot format it.
 */
function slackDate(at: Date, format: string, fallback: string): string {
  return valid(at) ? `<!date^${Math.floor(at.getTime() / 1000)}^${format}|${fallback}>` : fallback;
}

/** "14:02" in the reader's timezone. */
export function slackTime(at: Date): string {
  return slackDate(at, '{time}', plainTime(at));
}

/** "Dec 4 at 14:02" (or "today at 14:02") in the reader's timezone. */
export function slackDateTime(at: Date): string {
  return slackDate(at, '{date_short_pretty} at {time}', plainDateTime(at));
}

/** "today 14:02" / "Dec 4 14:02": a log line's time, kept short. */
export function slackShortDateTime(at: Date): string {
  return slackDate(at, '{date_short_pretty} {time}', plainDateTime(at));
}
