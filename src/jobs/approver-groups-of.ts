import type { SlackClient } from '../integrations/slack.ts';
import type { Logger } from '../logger.ts';

/**
 * The user groups among `approvers` (S… ids) that `userId` belongs to, read from Slack on each
 * call, so a person added to or removed from a group counts at once. A group Slack will not list
 * admits nobody this time: the click is refused, never waved through.
 */
export async function approverGroupsOf(
  userId: string,
  approvers: readonly string[],
  slack: Pick<SlackClient, 'usergroupMembers'> | undefined,
  log: Logger,
): Promise<string[]> {
  const groups: string[] = [];
  if (!slack) return groups;
  for (const id of approvers.filter((a) => a.startsWith('S'))) {
    try {
      if ((await slack.usergroupMembers(id)).includes(userId)) groups.push(id);
    } catch (error) {
      log.warn({ err: error, group: id }, 'could not read an approver user group; its members are not admitted this time');
    }
  }
  return groups;
}
