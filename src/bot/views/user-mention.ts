import { escapeMrkdwn } from './blocks.ts';

/** A Slack user id as a mention; anything that is not an id (a tracker's name for someone) as inert text. */
export function userMention(userId: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}
