import type { SlackMessage } from '../../integrations/slack.ts';
import type { Run } from '../../domain/run.ts';
import { ACTIONS, runButtonValue } from './action-ids.ts';
import { context, message, section } from './blocks.ts';
import { actions } from './buttons.ts';
import { userMention } from './user-mention.ts';
import { usd } from './usd.ts';

export interface CostCapInput {
  spentUsd: number;
  capUsd: number;
  /** What Continue raises the cap to (it may be raised once per run). */
  raiseToUsd: number;
}

function who(run: Run): string {
  return run.source === 'slack' ? `${userMention(run.requestedBy)} (who asked for this run) or an approver` : 'an approver';
}

/** Posted in the thread when a run pauses near its dollar cap: Continue (once) or Stop. */
export function costCapMessage(run: Run, input: CostCapInput): SlackMessage {
  const spent = `This run has spent ${usd(input.spentUsd)} of its ${usd(input.capUsd)} budget`;
  return message(
    `${run.ticketKey}: ${spent}. Continue raises the cap to ${usd(input.raiseToUsd)}; Stop ends the run.`,
    section(`:moneybag: *${spent}*, so it has paused. Its work so far is kept; nothing has been pushed.`),
    section(`*Continue* raises the cap once, to ${usd(input.raiseToUsd)}, and the agent picks up where it stopped. *Stop* ends the run.`),
    actions(
      'baton.cost',
      { text: `Continue (cap ${usd(input.raiseToUsd)})`, actionId: ACTIONS.costContinue, value: runButtonValue(run.id), style: 'primary' },
      {
        text: 'Stop',
        actionId: ACTIONS.costStop,
        value: runButtonValue(run.id),
        style: 'danger',
        confirm: { title: 'Stop this run?', text: `${run.ticketKey}'s run ends here. You can start a new one with /agent fix.`, confirm: 'Stop it', deny: 'Keep it paused' },
      },
    ),
    context(`Only ${who(run)} can decide. The run holds no agent while it waits.`),
  );
}

export type CostCapResolution = { kind: 'continued'; by: string; capUsd: number } | { kind: 'stopped'; by: string };

/** The same message once decided: the buttons gone, who decided and what. */
export function costCapResolvedMessage(run: Run, spentUsd: number, resolution: CostCapResolution): SlackMessage {
  const decided = resolution.kind === 'continued'
    ? `:arrow_forward: Continued by ${userMention(resolution.by)} — new cap ${usd(resolution.capUsd)}`
    : `:octagonal_sign: Stopped by ${userMention(resolution.by)}`;
  return message(
    `${run.ticketKey}: ${decided.replace(/^:[a-z_]+: /, '')}`,
    section(`:moneybag: This run had spent ${usd(spentUsd)} when it paused at its budget.`),
    section(decided),
  );
}

/** Ephemeral answer to a click by someone who may not decide (checked on the server). */
export function costCapNotAllowedReply(run: Run): SlackMessage {
  const text = `Only ${who(run)} can continue or stop ${run.ticketKey}'s run. Nothing changed.`;
  return message(text, section(`:no_entry: ${text}`));
}

/** Ephemeral answer to a click on a message that is already decided (another click won, or the run ended). */
export function costCapAlreadyDecidedReply(run: Run): SlackMessage {
  const text = `${run.ticketKey}'s run is no longer waiting at its budget; nothing changed.`;
  return message(text, section(`:information_source: ${text}`));
}
