// Dates from the tracker and code host APIs (ISO strings) shown the way messages show theirs.
import { formatSlackDate } from './slack-date.js';
import { h } from './tree.js';

export function when(iso, ctx = {}) {
  const date = new Date(iso);
  if (typeof iso !== 'string' || !Number.isFinite(date.getTime())) return null;
  return h('time', { datetime: date.toISOString(), title: formatSlackDate(date, '{date_long} {time_secs}', ctx) }, formatSlackDate(date, '{date_short_pretty} {time}', ctx));
}
