import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackMessage } from '../../integrations/slack.ts';
import type { Logger } from '../../logger.ts';
import { ACTIONS, parseRunButtonValue } from '../views/action-ids.ts';

export interface RunRetryDeps {
  /** main.ts hands this in (jobs/retry-run.ts): what to tell the clicker. */
  retryRun(click: { runId: string; userId: string; channelId: string | undefined }): Promise<SlackMessage>;
  log: Logger;
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & Pick<AllMiddlewareArgs, 'client'>;

/** Retry on a failed run's notice or a run waiting for its model: ack first, then the server decides, and only the clicker is told. */
export async function handleRunRetry(args: ButtonArgs, deps: RunRetryDeps): Promise<void> {
  const { ack, body, action, client } = args;
  await ack();
  const userId: unknown = (body as { user?: { id?: unknown } }).user?.id;
  const channel = body.channel?.id;
  if (typeof userId !== 'string' || userId === '') {
    deps.log.info({ action: action?.action_id }, 'retry button payload without a user; ignored');
    return;
  }
  const tell = async (m: SlackMessage): Promise<void> => {
    if (channel) await client.chat.postEphemeral({ channel, user: userId, text: m.text, ...(m.blocks ? { blocks: m.blocks as never } : {}) });
  };
  const parsed = parseRunButtonValue(action.value);
  try {
    if (!parsed.ok) return await tell({ text: `Baton could not read that button (${parsed.reason}); nothing changed.` });
    await tell(await deps.retryRun({ runId: parsed.value.runId, userId, channelId: channel }));
  } catch (error) {
    deps.log.error({ err: error, runId: parsed.ok ? parsed.value.runId : undefined }, 'retry failed');
    await tell({ text: 'Baton could not retry just now; nothing changed. Try again in a minute, or run `/agent fix <ticket>`.' }).catch((tellError: unknown) =>
      deps.log.error({ err: tellError }, 'and the clicker could not be told'),
    );
  }
}

export function registerRunRetry(app: App, deps: RunRetryDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTIONS.runRetry, (args) => handleRunRetry(args, deps));
}
