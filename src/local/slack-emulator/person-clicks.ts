import { answer, deliveryFailed, refuse, type EmulatorContext, type PageAnswer } from './emulator-context.ts';
import { flag, isObject, str } from './slack-args.ts';
import { blockActionsPayload, interactionForm, viewActionsPayload, type Person } from './slack-payloads.ts';

type Json = Record<string, unknown>;

/** The button with this action_id (and block_id, when the block has one) in a message's blocks. */
export function findButton(blocks: unknown, actionId: string, blockId: string | undefined): { button: Json; blockId: string } | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const [index, block] of blocks.entries()) {
    if (!isObject(block)) continue;
    // Slack gives every block an id when the app gave none; the emulator (and the page) name such a block by its place.
    const id = str(block.block_id) ?? `b${index}`;
    if (blockId !== undefined && id !== blockId) continue;
    const elements = Array.isArray(block.elements) ? block.elements : [];
    const candidates = [...elements, block.accessory].filter(isObject);
    const button = candidates.find((e) => e.type === 'button' && e.action_id === actionId);
    if (button) return { button, blockId: id };
  }
  return undefined;
}

/**
 * `POST /_/slack/action` `{ user, channel, message_ts, action_id, block_id, value?, ephemeral? }`: a
 * button clicked (its `confirm` dialog, if any, already answered on the page), delivered as a signed
 * `block_actions` interaction with a fresh trigger_id and a response_url for that message. With
 * `view_id` instead of a message, the button is in one of the person's modals or on their Home tab.
 */
export async function personClicks(ctx: EmulatorContext, body: Json): Promise<PageAnswer> {
  const person = ctx.person(body.user);
  if (person && str(body.view_id)) return clickInView(ctx, person, str(body.view_id)!, body);
  const channel = ctx.channel(body.channel);
  const messageTs = str(body.message_ts);
  const actionId = str(body.action_id);
  if (!person) return refuse(400, 'user_not_found');
  if (!channel) return refuse(400, 'channel_not_found');
  if (!messageTs || !actionId) return refuse(400, 'invalid_arguments');
  const ephemeral = flag(body.ephemeral);
  const chat = ctx.workspace.chat;
  const shown = ephemeral
    ? chat.ephemerals().find((e) => e.message_ts === messageTs && e.user === person.id && e.channel === channel.id)
    : chat.message(channel.id, messageTs);
  if (!shown) return refuse(404, 'message_not_found');
  const found = findButton(shown.blocks, actionId, str(body.block_id));
  if (!found) return refuse(404, 'button_not_found');
  const button = body.value === undefined ? found.button : { ...found.button, value: String(body.value) };
  const threadTs = shown.thread_ts;
  const message = ephemeral ? undefined : chat.wire(chat.message(channel.id, messageTs)!);
  const original = ephemeral ? { kind: 'ephemeral' as const, ts: messageTs } : { kind: 'message' as const, channel: channel.id, ts: messageTs };
  const payload = blockActionsPayload(
    {
      user: person,
      channel,
      message,
      messageTs,
      threadTs,
      ephemeral,
      button,
      blockId: found.blockId,
      triggerId: ctx.workspace.issueTrigger(person.id),
      responseUrl: ctx.responses.issue({ user: person.id, channel: channel.id, threadTs, original }),
    },
    ctx.identity,
  );
  const delivery = await ctx.deliver('form', interactionForm(payload));
  return delivery.ok ? answer({ ok: true }) : deliveryFailed(delivery);
}

async function clickInView(ctx: EmulatorContext, person: Person, viewId: string, body: Json): Promise<PageAnswer> {
  const views = ctx.workspace.views;
  const home = views.home(person.id);
  const view = views.ownerOf(viewId) === person.id ? views.view(viewId) : home?.id === viewId ? home : undefined;
  const actionId = str(body.action_id);
  if (!view) return refuse(404, 'view_not_found');
  if (!actionId) return refuse(400, 'invalid_arguments');
  const found = findButton(view.blocks, actionId, str(body.block_id));
  if (!found) return refuse(404, 'button_not_found');
  const button = body.value === undefined ? found.button : { ...found.button, value: String(body.value) };
  const triggerId = ctx.workspace.issueTrigger(person.id);
  const payload = viewActionsPayload({ user: person, view, button, blockId: found.blockId, triggerId }, ctx.identity);
  const delivery = await ctx.deliver('form', interactionForm(payload));
  return delivery.ok ? answer({ ok: true }) : deliveryFailed(delivery);
}
