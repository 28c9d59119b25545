import { createHmac, randomBytes } from 'node:crypto';
import { SLACK_DEFAULTS } from './slack-defaults.ts';

/**
 * Builders for requests "from Slack" to the app's HTTP endpoint, signed per Slack's request
 * verification: `v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`).
 */

export interface SlackSignatureHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

type Payload = Record<string, unknown>;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A trigger_id looks like `<digits>.<digits>.<hex>`; each interaction gets a new one. */
const triggerId = (): string => `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${randomBytes(16).toString('hex')}`;

const team = { id: SLACK_DEFAULTS.teamId, domain: SLACK_DEFAULTS.teamDomain };
const user = {
  id: SLACK_DEFAULTS.userId,
  username: SLACK_DEFAULTS.userName,
  name: SLACK_DEFAULTS.userName,
  team_id: SLACK_DEFAULTS.teamId,
};

export function slackSignature(secret: string, timestampSeconds: number | string, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex')}`;
}

export function signSlackBody(secret: string, rawBody: string, timestampSeconds = nowSeconds()): SlackSignatureHeaders {
  return {
    'x-slack-signature': slackSignature(secret, timestampSeconds, rawBody),
    'x-slack-request-timestamp': String(timestampSeconds),
  };
}

export interface SlashCommandFields {
  command?: string;
  text?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
  team_domain?: string;
  enterprise_id?: string;
  enterprise_name?: string;
  api_app_id?: string;
  is_enterprise_install?: boolean;
  response_url?: string;
  trigger_id?: string;
  token?: string;
  [extra: string]: string | boolean | undefined;
}

/** The form body Slack POSTs for a slash command, with every field Slack sends. */
export function slashCommandBody(fields: SlashCommandFields = {}): string {
  const { is_enterprise_install, ...rest } = fields;
  const all: Record<string, string | boolean | undefined> = {
    token: SLACK_DEFAULTS.verificationToken,
    team_id: SLACK_DEFAULTS.teamId,
    team_domain: SLACK_DEFAULTS.teamDomain,
    channel_id: SLACK_DEFAULTS.channelId,
    channel_name: SLACK_DEFAULTS.channelName,
    user_id: SLACK_DEFAULTS.userId,
    user_name: SLACK_DEFAULTS.userName,
    command: '/agent',
    text: '',
    api_app_id: SLACK_DEFAULTS.appId,
    is_enterprise_install: is_enterprise_install ?? false,
    response_url: `https://hooks.slack.com/commands/${SLACK_DEFAULTS.teamId}/1/fake`,
    trigger_id: triggerId(),
    ...rest,
  };
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(all)) if (value !== undefined) form.append(key, String(value));
  return form.toString();
}

/** Interactions arrive as a form with one field, `payload`, holding the JSON. */
function interactionBody(payload: Payload): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The fields every interaction payload carries, with a fresh trigger_id. */
function interactionEnvelope(): Payload {
  return {
    token: SLACK_DEFAULTS.verificationToken,
    api_app_id: SLACK_DEFAULTS.appId,
    team,
    user,
    is_enterprise_install: false,
    enterprise: null,
    trigger_id: triggerId(),
  };
}

/** A `block_actions` interaction; `payload` fields override the defaults (shallowly). */
export function blockActionsBody(payload: Payload): string {
  return interactionBody({
    type: 'block_actions',
    ...interactionEnvelope(),
    actions: [],
    ...payload,
  });
}

/** A `view_submission`; `payload.view` is merged over a default modal so tests give only what matters. */
export function viewSubmissionBody(payload: Payload): string {
  const view = (payload.view ?? {}) as Payload;
  return interactionBody({
    type: 'view_submission',
    ...interactionEnvelope(),
    response_urls: [],
    ...payload,
    view: {
      id: 'V0FAKEVIEW',
      team_id: SLACK_DEFAULTS.teamId,
      type: 'modal',
      callback_id: '',
      private_metadata: '',
      state: { values: {} },
      hash: `${nowSeconds()}.fake`,
      app_id: SLACK_DEFAULTS.appId,
      bot_id: SLACK_DEFAULTS.botId,
      ...view,
    },
  });
}

export interface EventEnvelope {
  team_id?: string;
  api_app_id?: string;
  event_id?: string;
  event_time?: number;
  [extra: string]: unknown;
}

/** An Events API `event_callback` envelope (JSON), as Slack delivers it. */
export function eventBody(event: Payload, envelope: EventEnvelope = {}): string {
  const teamId = envelope.team_id ?? SLACK_DEFAULTS.teamId;
  return JSON.stringify({
    token: SLACK_DEFAULTS.verificationToken,
    team_id: teamId,
    api_app_id: SLACK_DEFAULTS.appId,
    event: { event_ts: event.ts ?? `${nowSeconds()}.000100`, ...event },
    type: 'event_callback',
    event_id: `Ev0FAKE${randomBytes(4).toString('hex').toUpperCase()}`,
    event_time: nowSeconds(),
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: SLACK_DEFAULTS.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-fake-${randomBytes(8).toString('hex')}`,
    ...envelope,
  });
}

/** Slash commands and interactions are form-encoded; Events API calls are JSON. */
export type SlackRequestKind = 'command' | 'interaction' | 'event';

export interface SendSignedOptions {
  secret: string;
  /** Seconds; sign with an old one to test the replay window. */
  timestamp?: number;
  /** Sent instead of the computed signature, to test tampering. */
  signature?: string;
  /** Extra headers, e.g. `x-slack-retry-num` for redelivery. */
  headers?: Record<string, string>;
}

export interface SignedResponse {
  status: number;
  text: string;
  json?: unknown;
}

export async function sendSignedSlack(
  url: string,
  kind: SlackRequestKind,
  body: string,
  options: SendSignedOptions,
): Promise<SignedResponse> {
  const signed = signSlackBody(options.secret, body, options.timestamp ?? nowSeconds());
  if (options.signature !== undefined) signed['x-slack-signature'] = options.signature;
  const contentType = kind === 'event' ? 'application/json' : 'application/x-www-form-urlencoded';
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...signed, ...options.headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, ...parseJson(text) };
}

function parseJson(text: string): { json?: unknown } {
  if (text.trim() === '') return {};
  try {
    return { json: JSON.parse(text) };
  } catch {
    // Acks may be plain text; `text` already carries them.
    return {};
  }
}
