import type { SlackMessage } from '../../integrations/slack.ts';
import type { Run, RunStatus } from '../../domain/run.ts';
import { PROGRESS_LABELS, PROGRESS_STEPS, stepsDone } from '../../domain/run-progress.ts';
import { context, escapeMrkdwn, link, message, section } from './blocks.ts';
import { clipReason, SECTION_CHARS } from './clip-reason.ts';
import { unsandboxedWarning } from './unsandboxed-warning.ts';
import { usd } from './usd.ts';
import { ACTIONS, runButtonValue } from './action-ids.ts';
import { actions } from './buttons.ts';

const STATUS_LABEL: Record<RunStatus, string> = {
  queued: 'queued',
  running: 'working',
  needs_clarification: 'needs clarification',
  awaiting_budget: 'paused at its budget',
  reviewing: 'being reviewed',
  awaiting_approval: 'waiting for approval',
  merging: 'merging',
  deploying: 'deploying',
  awaiting_deploy_approval: 'waiting for the production approval',
  succeeded: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  rejected: 'rejected',
};

export function statusLabel(status: RunStatus): string {
  return STATUS_LABEL[status];
}

function requester(run: Run): string {
  return run.source === 'slack' ? `<@${run.requestedBy}>` : `${run.source} (${escapeMrkdwn(run.requestedBy)})`;
}

/** Titles are short; a longer one is cut rather than let the section grow past Slack's limit. */
const TITLE_CHARS = 500;
/** A run's reason in the /agent status list: the gist; its thread has the whole of it. */
const LIST_REASON_CHARS = 300;
/** Slack's most blocks in one message. */
const MAX_BLOCKS = 50;

/** The thread root: one per run, edited as the run moves. */
export function threadRootMessage(run: Run): SlackMessage {
  // The title is the ticket author's text: escaped, so it cannot ping a channel or forge a link.
  // The notification text too: a `<!channel>` there would ping as surely as in the section.
  const title = run.ticketTitle ? ` · ${clipReason(run.ticketTitle, TITLE_CHARS)}` : '';
  const key = run.ticketUrl ? link(run.ticketUrl, run.ticketKey) : run.ticketKey;
  const headline = `${run.ticketKey}${title} · ${statusLabel(run.status)}`;
  return message(
    headline,
    section(`*${key}*${title} · ${statusLabel(run.status)}`),
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
  const head = `*Status:* ${statusLabel(run.status)}`;
  // A gate's reason quotes up to 1,500 characters of test output, which escaping can grow past
  // the section's limit: Slack would refuse the edit and the status would stop moving.
  const where = run.statusReason ? `\n_${clipReason(run.statusReason, SECTION_CHARS - head.length - 3)}_` : '';
  const spent = run.costUsd > 0 ? [context(`Model cost so far: ${usd(run.costUsd)}${run.costCapUsd !== null ? ` of ${usd(run.costCapUsd)}` : ''}`)] : [];
  return message(
    `${run.ticketKey}: ${statusLabel(run.status)}`,
    section(`${head}${where}`),
    ...(run.unsandboxed ? [unsandboxedWarning()] : []),
    section(checklist(run)),
    ...spent,
    // No model on this Baton: the reason above says what is missing; Retry sends the run on once it is there.
    ...(run.waitingForAgent ? [actions('baton.run.waiting', { text: 'Retry', actionId: ACTIONS.runRetry, value: runButtonValue(run.id) })] : []),
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

/** A ticket with no run to show (an audit trail asked for before any run). */
export function noRunsReply(ticketKey: string): SlackMessage {
  const text = `No run for ${ticketKey} yet. Start one with /agent fix ${ticketKey}.`;
  return message(text, section(escapeMrkdwn(text)));
}

export function statusReply(runs: Run[], ticketKey?: string): SlackMessage {
  if (runs.length === 0) {
    const none = ticketKey ? `No run for ${ticketKey} yet. Start one with /agent fix ${ticketKey}.` : 'Nothing is running. Start a run with /agent fix ENG-123.';
    return message(none, section(none));
  }
  const lines = runs.map((run) => {
    const thread = run.threadUrl ? ` · ${link(run.threadUrl, 'thread')}` : '';
    const reason = run.statusReason ? ` — _${clipReason(run.statusReason, LIST_REASON_CHARS)}_` : '';
    return `• *${escapeMrkdwn(run.ticketKey)}* · ${statusLabel(run.status)}${thread}${reason}`;
  });
  const packed = packLines(lines);
  const fallback = packed[0]!.replace(/[*_]/g, '');
  return message(packed.length > 1 ? `${fallback}\n…` : fallback, ...packed.map(section));
}

/**
 * Lines packed into section texts under Slack's limit, at most MAX_BLOCKS of them; the last says
 * how many runs did not fit.
 */
function packLines(lines: string[]): string[] {
  const texts: string[] = [];
  let current: string[] = [];
  let length = 0;
  for (const [i, line] of lines.entries()) {
    if (current.length > 0 && length + 1 + line.length > SECTION_CHARS) {
      if (texts.length === MAX_BLOCKS - 2) {
        texts.push(current.join('\n'), `…and ${lines.length - i} more runs.`);
        return texts;
      }
      texts.push(current.join('\n'));
      current = [];
      length = 0;
    }
    current.push(line);
    length += (current.length > 1 ? 1 : 0) + line.length;
  }
  texts.push(current.join('\n'));
  return texts;
}

export function commandFailedReply(action: string, reason: string, reference: string): SlackMessage {
  const text = `:x: I couldn't ${action}: ${reason}. Nothing was saved, so it is safe to try again in a minute. If it keeps failing, an admin can look up reference ${reference} in Baton's logs.`;
  return message(text.replace(/^:x: /, ''), section(text));
}
