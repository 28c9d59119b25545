import type { Gate } from '../../domain/gate.ts';
import type { Run } from '../../domain/run.ts';
import type { Blocks } from '../../integrations/slack.ts';
import { context, escapeMrkdwn, link, section } from './blocks.ts';
import { statusLabel } from './run-messages.ts';
import { shortSha } from './short-sha.ts';
import { slackDateTime } from './slack-date.ts';

export interface HomeRequest {
  run: Run;
  gate: Gate;
  headSha: string;
  expiresAt: Date | null;
}

export interface AppHomeInput {
  /** Open approval requests this person may decide (an approver of the gate, and not the requester). */
  yours: HomeRequest[];
  /** Active runs, newest first. */
  runs: Run[];
}

// Slack: a Home view holds at most 100 blocks; the lists are cut well before.
const MAX_LISTED = 20;

function runLine(run: Run): string {
  const key = run.ticketUrl ? link(run.ticketUrl, run.ticketKey) : escapeMrkdwn(run.ticketKey);
  const title = run.ticketTitle ? ` · ${escapeMrkdwn(run.ticketTitle.slice(0, 120))}` : '';
  const thread = run.threadUrl ? ` · ${link(run.threadUrl, 'thread')}` : '';
  return `*${key}*${title} · ${statusLabel(run.status)}${thread}`;
}

function requestLine(request: HomeRequest): string {
  const what = request.gate === 'merge' ? 'merge' : 'production deploy';
  const until = request.expiresAt ? ` · expires ${slackDateTime(request.expiresAt)}` : '';
  return `${runLine(request.run)}\n_${what} of \`${shortSha(request.headSha)}\` waits for your Approve or Reject in the thread${until}_`;
}

/** Baton's App Home tab: what waits on this person, then what Baton is working on. Pure. */
export function appHomeView(input: AppHomeInput): { type: 'home'; blocks: Blocks } {
  const blocks: Blocks = [{ type: 'header', text: { type: 'plain_text', text: 'Baton', emoji: true } }];
  blocks.push(section('*Waiting on you*'));
  if (input.yours.length === 0) blocks.push(context('Nothing waits for your approval.'));
  for (const request of input.yours.slice(0, MAX_LISTED)) blocks.push(section(requestLine(request)));
  if (input.yours.length > MAX_LISTED) blocks.push(context(`… and ${input.yours.length - MAX_LISTED} more.`));
  blocks.push({ type: 'divider' });
  blocks.push(section('*Active runs*'));
  if (input.runs.length === 0) blocks.push(context('Nothing is running. Start a run with `/agent fix ENG-123`.'));
  for (const run of input.runs.slice(0, MAX_LISTED)) blocks.push(section(runLine(run)));
  if (input.runs.length > MAX_LISTED) blocks.push(context(`… and ${input.runs.length - MAX_LISTED} more: \`/agent status\` lists them.`));
  blocks.push(context('`/agent fix ENG-123` hands a ticket to Baton · `/agent status` · `/agent audit ENG-123` · `/agent help`'));
  return { type: 'home', blocks };
}
