import type { EmulatorContext } from './emulator-context.ts';

/**
 * What the page shows one person (`GET /_/slack/state?user=U…`): every message in every channel,
 * replies included, in the order Slack shows them, and that person's ephemerals, open modals and
 * App Home. Ephemerals stay until the page forgets them: Slack shows them only until a reload, but
 * here a reload is how the page catches up.
 */
export function slackState(ctx: EmulatorContext, user: string): Record<string, unknown> {
  const { workspace } = ctx;
  const chat = workspace.chat;
  const messages = chat
    .live()
    .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0))
    .map((m) => ({ ...chat.wire(m), channel: m.channel }));
  const ephemerals = chat
    .ephemerals()
    .filter((e) => e.user === user)
    .map(({ message_ts, ...rest }) => ({ ...rest, ts: message_ts }));
  const home = workspace.views.home(user);
  const files = workspace.files
    .list()
    .filter((f) => f.completed)
    .map((f) => ({
      id: f.file_id,
      name: f.filename,
      title: f.title ?? f.filename,
      filetype: f.filename.includes('.') ? f.filename.split('.').pop() : 'binary',
      channel: f.channel_id ?? null,
      thread_ts: f.thread_ts ?? null,
      url: `/files/${f.file_id}`,
    }));
  return {
    ok: true,
    version: ctx.version(),
    team: ctx.team,
    bot: { id: ctx.bot.userId, name: ctx.bot.name },
    users: workspace.userSeeds().map((u) => ({ id: u.id, name: u.name ?? u.id.toLowerCase(), real_name: u.real_name ?? u.name ?? u.id, is_bot: u.is_bot ?? false })),
    channels: ctx.channels,
    messages,
    ephemerals,
    views: workspace.views.stack(user).map((view) => ({ id: view.id, view })),
    home: home ? { view: home } : null,
    files,
    // Not in the page contract: the assistant "is thinking…" line, for a page that wants to show it.
    thread_statuses: workspace.threadStatuses(),
  };
}
