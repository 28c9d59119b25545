import { parse as parseQuery } from 'node:querystring';
import { z } from 'zod';

/*
 * The shape Bolt 5 assumes of a verified Slack request before any listener runs: it dereferences
 * `body.user.id`, `body.channel.id`, `event.channel`, `authorizations[0].team_id` and `[payload] =
 * actions` unguarded (App.processEvent, buildSource, getTypeAndConversation), and keys its client
 * pools by the team id (`this.clients[teamId]`, a plain object). A payload that breaks one of those
 * made Bolt throw: a 500 and an error line, or, for a body of JSON `null`, an unhandled rejection.
 * Slack never sends such a payload, so each is refused here with a reason, before Bolt sees it.
 * The rules follow Bolt's own order of telling payload kinds apart (helpers.getTypeAndConversation).
 */

// Slack's team and enterprise ids are upper-case letters and digits (T0123ABC, E0456DEF); nothing
// in Object.prototype is named so. Empty is allowed: a slash command sends `enterprise_id=` outside Grid.
const slackId = z.string().regex(/^[A-Z0-9]*$/, 'not a Slack id');
const object = z.looseObject({});
const team = z.looseObject({ id: slackId.optional(), enterprise_id: slackId.nullish() }).nullish();
const user = z.looseObject({ id: z.string(), team_id: slackId.nullish() });
const envelope = {
  team_id: slackId.nullish(),
  enterprise_id: slackId.nullish(),
  team,
  enterprise: z.looseObject({ id: slackId.optional() }).nullish(),
};
const interaction = { ...envelope, user, channel: object.optional() };

const event = z.looseObject({
  ...envelope,
  event: z.looseObject({
    type: z.string(),
    channel: z.union([z.string(), object]).optional(),
    user: z.union([z.string(), object]).optional(),
    item: object.optional(),
    subteam: object.optional(),
  }),
  authorizations: z.array(z.looseObject({ team_id: slackId.nullish(), enterprise_id: slackId.nullish() })).optional(),
});
const command = z.looseObject({ ...envelope, command: z.string(), text: z.string(), user_id: z.string(), channel_id: z.string() });
const options = z.looseObject(interaction);
const action = z.looseObject({ ...interaction, actions: z.array(object).optional() });
const shortcut = z.looseObject(interaction);
const view = z.looseObject({ ...interaction, view: z.looseObject({ app_installed_team_id: slackId.nullish() }) });

type Body = Record<string, unknown>;

function kindOf(body: Body): { name: string; schema: z.ZodType } | undefined {
  if (body.event !== undefined) return { name: 'event', schema: event };
  if (body.command !== undefined) return { name: 'slash command', schema: command };
  if (body.name !== undefined || body.type === 'block_suggestion') return { name: 'options request', schema: options };
  if (body.actions !== undefined || body.type === 'dialog_submission') return { name: 'action', schema: action };
  if (body.type === 'shortcut' || body.type === 'message_action') return { name: 'shortcut', schema: shortcut };
  if (body.type === 'view_submission' || body.type === 'view_closed') return { name: 'view', schema: view };
  return undefined;
}

export type SlackPayloadCheck = { ok: true; body: Body } | { ok: false; reason: string };

const isPlainObject = (value: unknown): value is Body => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses a verified request body as Bolt will (form, form with a JSON `payload`, or JSON) and checks its shape. */
export function checkSlackPayload(rawBody: string, contentType: string | undefined): SlackPayloadCheck {
  let body: unknown;
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = parseQuery(rawBody);
      // Slack never repeats a field; querystring would make a repeated one an array.
      if (Object.values(form).some((value) => typeof value !== 'string')) return { ok: false, reason: 'a form field came more than once' };
      body = typeof form.payload === 'string' ? JSON.parse(form.payload) : { ...form };
    } else {
      body = JSON.parse(rawBody);
    }
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { ok: false, reason: 'the body is not JSON' };
  }
  if (!isPlainObject(body)) return { ok: false, reason: 'the body is not a JSON object' };
  const kind = kindOf(body);
  // A kind Bolt does not know is passed on: it calls no listener, and the receiver acks it.
  if (!kind) return { ok: true, body };
  const parsed = kind.schema.safeParse(body);
  if (parsed.success) return { ok: true, body };
  const first = parsed.error.issues[0];
  return { ok: false, reason: `not a usable Slack ${kind.name} (${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'})` };
}
