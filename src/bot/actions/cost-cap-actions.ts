import type { App, BlockAction, ButtonAction, SlackActionMiddlewareArgs, AllMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../../logger.ts';
import type { SlackMessage } from '../../integrations/slack.ts';
import { ACTIONS, parseRunButtonValue } from '../views/action-ids.ts';

/** A click on Continue or Stop, as the listener read it (checked on the server by jobs/decide-cost-cap.ts). */
export interface CostCapClick {
  runId: string;
  userId: string;
  decision: 'continue' | 'stop';
}

/** What the listener shows: the prompt replaced (decided), or an ephemeral reply to the clicker alone. */
export type CostCapAnswer = { kind: 'decided'; message: SlackMessage } | { kind: 'refused'; reply: SlackMessage };

export interface CostCapActionDeps {
  /** main.ts hands this in (jobs/decide-cost-cap.ts with its dependencies). */
  decideCostCap(click: CostCapClick): Promise<CostCapAnswer>;
  log: Logger;
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & Pick<AllMiddlewareArgs, 'client'>;

/**
 * Continue / Stop at a run's budget prompt. Bolt has verified the signature; ack first (Slack
 * wants it within 3 s), then the server decides who may act and whether the run still waits.
 */
export async function handleCostCapAction(decision: CostCapClick['decision'], args: ButtonArgs, deps: CostCapActionDeps): Promise<void> {
  const { ack, body, action, client } = args;
  await ack();
  const channel = body.channel?.id;
  // Over HTTP the guard in front of Bolt refuses a payload without a user; Socket Mode has no such
  // guard, and a click nobody made cannot be decided.
  const userId: unknown = (body as { user?: { id?: unknown } }).user?.id;
  if (typeof userId !== 'string' || userId === '') {
    deps.log.info({ action: action?.action_id }, 'budget button payload without a user; ignored');
    return;
  }
  const log = deps.log.child({ action: action.action_id, user: userId, channel });
  const parsed = parseRunButtonValue(action.value);
  const tell = async (text: string, blocks?: unknown[]): Promise<void> => {
    if (!channel) return;
    await client.chat.postEphemeral({ channel, user: userId, text, ...(blocks ? { blocks: blocks as never } : {}) });
  };
  try {
    if (!parsed.ok) {
      log.warn({ reason: parsed.reason }, 'budget button with an unusable value');
      return await tell(`Baton could not read that button (${parsed.reason}); nothing changed.`);
    }
    const answer = await deps.decideCostCap({ runId: parsed.value.runId, userId, decision });
    if (answer.kind === 'refused') return await tell(answer.reply.text, answer.reply.blocks);
    const ts = body.message?.ts ?? body.container?.message_ts;
    if (channel && ts) await client.chat.update({ channel, ts, text: answer.message.text, blocks: answer.message.blocks ?? [] });
  } catch (error) {
    log.error({ err: error, runId: parsed.ok ? parsed.value.runId : undefined }, 'budget decision failed');
    await tell('Baton could not record that decision just now; the run is still paused. Try again in a minute.').catch((tellError: unknown) =>
      log.error({ err: tellError }, 'and the clicker could not be told'),
    );
  }
}

export function registerCostCapActions(app: App, deps: CostCapActionDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTIONS.costContinue, (args) => handleCostCapAction('continue', args, deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.costStop, (args) => handleCostCapAction('stop', args, deps));
}
