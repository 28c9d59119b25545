import { randomBytes } from 'node:crypto';
import { blockActionsBody, sendSignedSlack, viewSubmissionBody, type SignedResponse } from '../fakes/sign-slack-request.ts';
import { SLACK_DEFAULTS } from '../fakes/slack-defaults.ts';

/*
 * A person clicking a button or submitting a modal, as the signed request Slack then POSTs to the
 * app's interactivity URL: a form with one field, `payload`, holding the JSON (block_actions or
 * view_submission, shaped as Slack documents them), signed with the signing secret.
 */

type Json = Record<string, unknown>;

export interface ButtonClick {
  actionId: string;
  /** The button's `value`, as the view put it there. */
  value: string;
  /** The message the button is on. */
  messageTs: string;
  /** Set when that message is a reply in a thread (Slack then names the thread in `container`). */
  threadTs?: string;
  /** Who clicked; default SLACK_DEFAULTS.userId. */
  userId?: string;
  channelId?: string;
  blockId?: string;
  /** Default a fresh one, as Slack gives each interaction; pass one to find it in `views.open`. */
  triggerId?: string;
  /** Where replies to the click go; a FakeSlack.responseUrl to read them back. */
  responseUrl?: string;
  /** The message as the clicker saw it (Slack sends its text and blocks along). */
  message?: { text?: string; blocks?: unknown[] };
  buttonText?: string;
  style?: 'primary' | 'danger';
}

/** A state value as Slack reports it, or a string for a plain_text_input's text. */
export type ViewStateValue = string | Json;

export interface ViewSubmission {
  /**
   * The modal being submitted, e.g. FakeSlack.openViews()'s entry for it: its id, blocks,
   * callback_id and private_metadata are sent back, as Slack does.
   */
  view?: Json;
  /** Overrides the view's callback_id. */
  callbackId?: string;
  /** Overrides the view's private_metadata. */
  privateMetadata?: string;
  /** block_id → action_id → value: what the person entered. */
  values?: Record<string, Record<string, ViewStateValue>>;
  userId?: string;
  triggerId?: string;
}

/** The user object Slack puts on every interaction. */
export function interactionUser(userId: string = SLACK_DEFAULTS.userId): Json {
  const name = userId === SLACK_DEFAULTS.userId ? SLACK_DEFAULTS.userName : userId.toLowerCase();
  return { id: userId, username: name, name, team_id: SLACK_DEFAULTS.teamId };
}

const nowTs = (): string => (Date.now() / 1000).toFixed(6);

/** The form body of a `block_actions` interaction for a button clicked in a channel message. */
export function buttonClickBody(click: ButtonClick): string {
  const channelId = click.channelId ?? SLACK_DEFAULTS.channelId;
  const blockId = click.blockId ?? `b${randomBytes(3).toString('hex')}`;
  const action: Json = {
    action_id: click.actionId,
    block_id: blockId,
    text: { type: 'plain_text', text: click.buttonText ?? 'Button', emoji: true },
    value: click.value,
    type: 'button',
    action_ts: nowTs(),
    ...(click.style ? { style: click.style } : {}),
  };
  const thread = click.threadTs && click.threadTs !== click.messageTs ? { thread_ts: click.threadTs } : {};
  return blockActionsBody({
    user: interactionUser(click.userId),
    ...(click.triggerId ? { trigger_id: click.triggerId } : {}),
    container: { type: 'message', message_ts: click.messageTs, channel_id: channelId, is_ephemeral: false, ...thread },
    channel: { id: channelId, name: channelId === SLACK_DEFAULTS.channelId ? SLACK_DEFAULTS.channelName : channelId.toLowerCase() },
    message: {
      type: 'message',
      user: SLACK_DEFAULTS.botUserId,
      bot_id: SLACK_DEFAULTS.botId,
      app_id: SLACK_DEFAULTS.appId,
      team: SLACK_DEFAULTS.teamId,
      ts: click.messageTs,
      text: click.message?.text ?? '',
      blocks: click.message?.blocks ?? [],
      ...thread,
    },
    state: { values: {} },
    response_url: click.responseUrl ?? `https://hooks.slack.com/actions/${SLACK_DEFAULTS.teamId}/1/${randomBytes(12).toString('hex')}`,
    actions: [action],
  });
}

/** The form body of a `view_submission` for a modal, with its entered values in `view.state`. */
export function viewSubmitBody(submission: ViewSubmission): string {
  const values: Record<string, Record<string, Json>> = {};
  for (const [blockId, actions] of Object.entries(submission.values ?? {})) {
    values[blockId] = Object.fromEntries(
      Object.entries(actions).map(([actionId, value]) => [actionId, typeof value === 'string' ? { type: 'plain_text_input', value } : value]),
    );
  }
  const view = submission.view ?? {};
  return viewSubmissionBody({
    user: interactionUser(submission.userId),
    ...(submission.triggerId ? { trigger_id: submission.triggerId } : {}),
    view: {
      ...view,
      callback_id: submission.callbackId ?? view.callback_id ?? '',
      private_metadata: submission.privateMetadata ?? view.private_metadata ?? '',
      state: { values },
    },
  });
}

/** Clicks the button: the signed `block_actions` POSTed to the app's Slack URL (…/slack/events). */
export function clickButton(eventsUrl: string, click: ButtonClick, secret: string = SLACK_DEFAULTS.signingSecret): Promise<SignedResponse> {
  return sendSignedSlack(eventsUrl, 'interaction', buttonClickBody(click), { secret });
}

/** Submits the modal: the signed `view_submission` POSTed to the app's Slack URL; Slack shows errors from the answer. */
export function submitView(eventsUrl: string, submission: ViewSubmission, secret: string = SLACK_DEFAULTS.signingSecret): Promise<SignedResponse> {
  return sendSignedSlack(eventsUrl, 'interaction', viewSubmitBody(submission), { secret });
}
