// Slack's `<!date^unix^format^link|fallback>` tokens, shown in the reader's own timezone.
// https://api.slack.com/reference/surfaces/formatting#date-formatting

const DAY_MS = 86_400_000;

function ordinal(n) {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${s}`;
}

function parts(date, opts, ctx) {
  const fmt = new Intl.DateTimeFormat(ctx.locale ?? 'en-US', { ...opts, timeZone: ctx.timeZone });
  return Object.fromEntries(fmt.formatToParts(date).map((p) => [p.type, p.value]));
}

/** Days between the reader's calendar day of `date` and of `now` (0 today, -1 yesterday). */
function dayOffset(date, now, ctx) {
  const key = (d) => {
    const p = parts(d, { year: 'numeric', month: '2-digit', day: '2-digit' }, ctx);
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day));
  };
  return Math.round((key(date) - key(now)) / DAY_MS);
}

function pretty(date, ctx, otherwise) {
  const offset = dayOffset(date, ctx.now ?? new Date(), ctx);
  if (offset === 0) return 'today';
  if (offset === -1) return 'yesterday';
  if (offset === 1) return 'tomorrow';
  return otherwise();
}

function ago(date, ctx) {
  const seconds = Math.round(((ctx.now ?? new Date()).getTime() - date.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const [n, unit] =
    abs < 60 ? [abs, 'second'] : abs < 3600 ? [Math.floor(abs / 60), 'minute'] : abs < DAY_MS / 1000 ? [Math.floor(abs / 3600), 'hour'] : [Math.floor(abs / 86400), 'day'];
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

/** Formats one Slack date format string for `date`; unknown tokens stay as written. */
export function formatSlackDate(date, format, ctx = {}) {
  const d = (opts) => parts(date, opts, ctx);
  const long = () => { const p = d({ year: 'numeric', month: 'long', day: 'numeric' }); return `${p.month} ${ordinal(Number(p.day))}, ${p.year}`; };
  const short = () => { const p = d({ year: 'numeric', month: 'short', day: 'numeric' }); return `${p.month} ${Number(p.day)}, ${p.year}`; };
  const weekday = () => `${d({ weekday: 'long' }).weekday}, ${long()}`;
  const num = () => { const p = d({ year: 'numeric', month: '2-digit', day: '2-digit' }); return `${p.year}-${p.month}-${p.day}`; };
  const time = (secs) => {
    const p = d({ hour: '2-digit', minute: '2-digit', second: secs ? '2-digit' : undefined, hourCycle: 'h23' });
    return `${p.hour}:${p.minute}${secs ? `:${p.second}` : ''}`;
  };
  const tokens = {
    date_num: num,
    date: long,
    date_short: short,
    date_long: weekday,
    date_pretty: () => pretty(date, ctx, long),
    date_short_pretty: () => pretty(date, ctx, short),
    date_long_pretty: () => pretty(date, ctx, weekday),
    time: () => time(false),
    time_secs: () => time(true),
    ago: () => ago(date, ctx),
  };
  return format.replace(/\{([a-z_]+)\}/g, (all, name) => (Object.hasOwn(tokens, name) ? tokens[name]() : all));
}

/** A Slack message ts ("1700000000.000100") as a Date, or null. */
export function dateOfTs(ts) {
  const n = Number(ts);
  return Number.isFinite(n) ? new Date(n * 1000) : null;
}
