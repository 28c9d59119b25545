import type { Run } from '../domain/run.ts';
import type { SlackClient } from '../integrations/slack.ts';
import { statusMessage, threadRootMessage } from '../bot/views/run-messages.ts';

/**
 * Edits the run's thread root and its status message to show where the run stands now. The
 * steps shown as done are derived from what is recorded on the run, so any caller can refresh.
 */
export async function refreshThread(run: Run, slack: SlackClient): Promise<void> {
  if (!run.channelId || !run.threadTs) return;
  await slack.updateMessage(run.channelId, run.threadTs, threadRootMessage(run));
  if (run.statusTs) await slack.updateMessage(run.channelId, run.statusTs, statusMessage(run));
}
