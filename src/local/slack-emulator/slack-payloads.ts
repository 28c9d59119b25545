import { randomBytes, randomUUID } from 'node:crypto';

/*
 * What Slack POSTs to an app's request URL, field for field: slash commands as a form, interactions
 * as a form with one `payload` field holding JSON, Events API deliveries as a JSON event_callback.
 */

type Json = Record<string, unknown>;

export interface Identity {
  team: { id: string; domain: string };
  appId: string;
  botUserId: string;
  /** Slack still sends the deprecated verification token; Bolt checks signatures instead. */
  verificationToken: string;
}

export interface Person {
  id: string;
  name: string;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const nowTs = (): string => (Date.now() / 1000).toFixed(6);

export function interactionUser(person: Person, id: Identity): Json {
  return { id: person.id, username: person.name, name: person.name, team_id: id.team.id };
}

export interface SlashCommand {
  command: string;
  text: string;
  user: Person;
  channel: { id: string; name: string };
  responseUrl: string;
  triggerId: string;
}

/** The form body Slack POSTs for a slash command, with every field Slack sends. */
export function slashCommandForm(c: SlashCommand, id: Identity): string {
  return new URLSearchParams({
    token: id.verificationToken,
    team_id: id.team.id,
    team_domain: id.team.domain,
    channel_id: c.channel.id,
    channel_name: c.channel.name,
    user_id: c.user.id,
    user_name: c.user.name,
    command: c.command,
    text: c.text,
    api_app_id: id.appId,
    is_enterprise_install: 'false',
    response_url: c.responseUrl,
    trigger_id: c.triggerId,
  }).toString();
}

/** Interactions arrive as a form with one field, `payload`, holding the JSON. */
export function interactionForm(payload: Json): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface ButtonClick {
  user: Person;
  channel: { id: string; name: string };
  /** The message the button is on, as Slack sends it (absent for an ephemeral one: Slack leaves it out). */
  message: Json | undefined;
  messageTs: string;
  threadTs: string | undefined;
  ephemeral: boolean;
  /** The button as drawn, plus the block it is in. */
  button: Json;
  blockId: string;
  triggerId: string;
  responseUrl: string;
}

/** The action Slack reports for a clicked button: the button as drawn, less what only the client uses. */
function buttonAction(button: Json, blockId: string): Json {
  const { confirm: _confirm, url: _url, accessibility_label: _label, ...drawn } = button;
  return { ...drawn, block_id: blockId, type: 'button', action_ts: nowTs() };
}

export function blockActionsPayload(click: ButtonClick, id: Identity): Json {
  const thread = click.threadTs && click.threadTs !== click.messageTs ? { thread_ts: click.threadTs } : {};
  return {
    type: 'block_actions',
    user: interactionUser(click.user, id),
    api_app_id: id.appId,
    token: id.verificationToken,
    container: { type: 'message', message_ts: click.messageTs, channel_id: click.channel.id, is_ephemeral: click.ephemeral, ...thread },
    trigger_id: click.triggerId,
    team: id.team,
    enterprise: null,
    is_enterprise_install: false,
    channel: click.channel,
    ...(click.message ? { message: click.message } : {}),
    state: { values: {} },
    response_url: click.responseUrl,
    actions: [buttonAction(click.button, click.blockId)],
  };
}

/** A button in a modal or on the Home tab: Slack names the view, not a channel, and gives no response_url. */
export function viewActionsPayload(click: { user: Person; view: Json; button: Json; blockId: string; triggerId: string }, id: Identity): Json {
  return {
    type: 'block_actions',
    user: interactionUser(click.user, id),
    api_app_id: id.appId,
    token: id.verificationToken,
    container: { type: 'view', view_id: click.view.id },
    trigger_id: click.triggerId,
    team: id.team,
    enterprise: null,
    is_enterprise_install: false,
    view: click.view,
    actions: [buttonAction(click.button, click.blockId)],
  };
}

export function viewSubmissionPayload(input: { user: Person; view: Json; triggerId: string }, id: Identity): Json {
  return {
    type: 'view_submission',
    team: id.team,
    user: interactionUser(input.user, id),
    api_app_id: id.appId,
    token: id.verificationToken,
    trigger_id: input.triggerId,
    view: input.view,
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export function viewClosedPayload(input: { user: Person; view: Json; isCleared: boolean }, id: Identity): Json {
  return {
    type: 'view_closed',
    team: id.team,
    user: interactionUser(input.user, id),
    api_app_id: id.appId,
    token: id.verificationToken,
    view: input.view,
    is_cleared: input.isCleared,
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** An Events API `event_callback` envelope (JSON), as Slack delivers it. */
export function eventCallback(event: Json, id: Identity): string {
  return JSON.stringify({
    token: id.verificationToken,
    team_id: id.team.id,
    context_team_id: id.team.id,
    context_enterprise_id: null,
    api_app_id: id.appId,
    event: { event_ts: event.ts ?? nowTs(), ...event },
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: nowSeconds(),
    authorizations: [
      { enterprise_id: null, team_id: id.team.id, user_id: id.botUserId, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomBytes(12).toString('base64url')}`,
  });
}

/** A person's message as the `message` event carries it (and `app_mention`, with its own type). */
export function messageEvent(
  type: 'message' | 'app_mention',
  m: { user: string; text: string; ts: string; channel: string; thread_ts?: string; parent_user_id?: string },
  id: Identity,
): Json {
  return {
    type,
    user: m.user,
    text: m.text,
    ts: m.ts,
    client_msg_id: randomUUID(),
    team: id.team.id,
    channel: m.channel,
    event_ts: m.ts,
    ...(type === 'message' ? { channel_type: 'channel' } : {}),
    ...(m.thread_ts ? { thread_ts: m.thread_ts, parent_user_id: m.parent_user_id } : {}),
  };
}
