import type { SlackMessage } from '../../integrations/slack.ts';
import type { Run, RunStatus } from '../../domain/run.ts';
import { PROGRESS_LABELS, PROGRESS_STEPS, stepsDone } from '../../domain/run-progress.ts';
import { context, escapeMrkdwn, link, message, section } from './blocks.ts';
import { unsandboxedWarning } from './unsandboxed-warning.ts';
import { usd } from './usd.ts';

const STATUS_LABEL: Record<RunStatus, string> = {
  queued: 'queued',
  running: 'working',
  needs_clarification: 'needs clarification',
  awaiting_budget: 'paused at its budget',
  reviewing: 'in review',
  awaiting_approval: 'waiting for approval',
  merging: 'merging',
  deploying: 'deploying',
  succeeded: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

export function statusLabel(status: RunStatus): string {
  return STATUS_LABEL[status];
}

function requester(run: Run): string {
  return run.source === 'slack' ? `<@${run.requestedBy}>` : `${run.source} (${escapeMrkdwn(run.requestedBy)})`;
}

/** The thread root: one per run, edited as the run moves. */
export function threadRootMessage(run: Run): SlackMessage {
  // The title is the ticket author's text: escaped, so it cannot ping a channel or forge a link.
  const title = run.ticketTitle ? ` · ${run.ticketTitle}` : '';
  const key = run.ticketUrl ? link(run.ticketUrl, run.ticketKey) : run.ticketKey;
  const headline = `${run.ticketKey}${title} · ${statusLabel(run.status)}`;
  return message(
    headline,
    section(`*${key}*${escapeMrkdwn(title)} · ${statusLabel(run.status)}`),
    context(`Requested by ${requester(run)}`),
  );
}

// The mark of the first step not done yet, by status: what is happening to it now.
const CURRENT_MARK: Partial<Record<RunStatus, string>> = {
  running: ':hourglass_flowing_sand:',
  needs_clarification: ':question:',
  awaiting_budget: ':double_vertical_bar:',
  failed: ':x:',
};

/** The checklist: each step done, pending, or (the first one not done) what is happening to it. */
function checklist(run: Run): string {
  const done = stepsDone(run);
  const current = PROGRESS_STEPS.find((step) => !done.has(step));
  return PROGRESS_STEPS.map((step) => {
    const mark = done.has(step) ? ':white_check_mark:' : (step === current && CURRENT_MARK[run.status]) || ':white_square:';
    return `${mark} ${PROGRESS_LABELS[step]}`;
  }).join('\n');
}

/** The one status message in the thread, edited (never re-posted) as steps complete. */
export function statusMessage(run: Run): SlackMessage {
  const where = run.statusReason ? `\n_${escapeMrkdwn(run.statusReason)}_` : '';
  const spent = run.costUsd > 0 ? [context(`Model cost so far: ${usd(run.costUsd)}${run.costCapUsd !== null ? ` of ${usd(run.costCapUsd)}` : ''}`)] : [];
  return message(
    `${run.ticketKey}: ${statusLabel(run.status)}`,
    section(`*Status:* ${statusLabel(run.status)}${where}`),
    ...(run.unsandboxed ? [unsandboxedWarning()] : []),
    section(checklist(run)),
    ...spent,
  );
}

export function runStartedReply(run: Run): SlackMessage {
  return message(
    `Queued ${run.ticketKey}. I'll open a thread for it in this channel.`,
    section(`:inbox_tray: Queued *${run.ticketKey}*. I'll open a thread for it in this channel and keep it up to date.`),
  );
}

export function alreadyRunningReply(run: Run): SlackMessage {
  const where = run.threadUrl ? link(run.threadUrl, 'its thread') : run.channelId ? `<#${run.channelId}>` : 'its thread';
  return message(
    `${run.ticketKey} is already running (${statusLabel(run.status)}).${run.threadUrl ? ` ${run.threadUrl}` : ''}`,
    section(`:hourglass_flowing_sand: *${run.ticketKey}* is already running (${statusLabel(run.status)}). Follow it in ${where}.`),
  );
}

export function statusReply(runs: Run[], ticketKey?: string): SlackMessage {
  if (runs.length === 0) {
    const none = ticketKey ? `No run for ${ticketKey} yet. Start one with /agent fix ${ticketKey}.` : 'Nothing is running. Start a run with /agent fix ENG-123.';
    return message(none, section(none));
  }
  const lines = runs.map((run) => {
    const thread = run.threadUrl ? ` · ${link(run.threadUrl, 'thread')}` : '';
    const reason = run.statusReason ? ` — _${escapeMrkdwn(run.statusReason)}_` : '';
    return `• *${run.ticketKey}* · ${statusLabel(run.status)}${thread}${reason}`;
  });
  return message(lines.join('\n').replace(/[*_]/g, ''), section(lines.join('\n')));
}

export function commandFailedReply(action: string, reason: string, reference: string): SlackMessage {
  const text = `:x: I couldn't ${action}: ${reason}. Nothing was saved, so it is safe to try again in a minute. If it keeps failing, an admin can look up reference ${reference} in Baton's logs.`;
  return message(text.replace(/^:x: /, ''), section(text));
}
