import { answer, deliveryFailed, refuse, type EmulatorContext, type PageAnswer } from './emulator-context.ts';
import { isObject, str } from './slack-args.ts';
import { eventCallback, messageEvent, slashCommandForm } from './slack-payloads.ts';

/**
 * `POST /_/slack/command` `{ user, channel, text, thread_ts? }`: what a person types in the composer.
 * `/command …` is a slash command; anything else is a message, delivered as Events API events.
 */
export async function personTypes(ctx: EmulatorContext, body: Record<string, unknown>): Promise<PageAnswer> {
  const person = ctx.person(body.user);
  const channel = ctx.channel(body.channel);
  const text = typeof body.text === 'string' ? body.text.trim() : '';
  const threadTs = str(body.thread_ts);
  if (!person) return refuse(400, 'user_not_found');
  if (!channel) return refuse(400, 'channel_not_found');
  if (!text) return refuse(400, 'no_text');
  if (threadTs && !ctx.workspace.chat.message(channel.id, threadTs)) return refuse(400, 'thread_not_found');
  const where = { person, channel, threadTs };
  return text.startsWith('/') ? slashCommand(ctx, where, text) : message(ctx, where, text);
}

interface Where {
  person: { id: string; name: string };
  channel: { id: string; name: string };
  threadTs: string | undefined;
}

async function slashCommand(ctx: EmulatorContext, where: Where, typed: string): Promise<PageAnswer> {
  const command = typed.split(/\s/, 1)[0] ?? '';
  const text = typed.slice(command.length).trim();
  const { person, channel, threadTs } = where;
  const responseUrl = ctx.responses.issue({ user: person.id, channel: channel.id, threadTs, original: undefined });
  const triggerId = ctx.workspace.issueTrigger(person.id);
  const form = slashCommandForm({ command, text, user: person, channel, responseUrl, triggerId }, ctx.identity);
  const delivery = await ctx.deliver('form', form);
  const chat = ctx.workspace.chat;
  const thread = threadTs ? { thread_ts: threadTs } : {};
  if (!delivery.ok) {
    // What Slack itself shows the person when the app fails a command.
    const reason = 'error' in delivery ? delivery.error : 'dispatch_failed';
    chat.addEphemeral({ channel: channel.id, user: person.id, text: `${command} failed with the error "${reason}"`, ...thread });
    ctx.workspace.changed();
    return deliveryFailed(delivery);
  }
  // The ack body is the answer: JSON (Bolt's `ack({...})`), plain text, or nothing.
  const ack = isObject(delivery.json) ? delivery.json : delivery.text.trim() ? { text: delivery.text } : undefined;
  if (!ack) return answer({ ok: true });
  const ackText = str(ack.text) ?? '';
  const blocks = Array.isArray(ack.blocks) ? ack.blocks : undefined;
  if (!ackText && !blocks) return answer({ ok: true });
  if (ack.response_type === 'in_channel') {
    chat.postMessage({ channel: channel.id, text: ackText, blocks, ...thread });
  } else {
    const ts = chat.addEphemeral({ channel: channel.id, user: person.id, text: ackText, ...(blocks ? { blocks } : {}), ...thread });
    ctx.responses.setOriginal(responseUrl, { kind: 'ephemeral', ts });
  }
  ctx.workspace.changed();
  return answer({ ok: true });
}

async function message(ctx: EmulatorContext, where: Where, text: string): Promise<PageAnswer> {
  const { person, channel, threadTs } = where;
  const chat = ctx.workspace.chat;
  const posted = chat.postAsUser({ channel: channel.id, user: person.id, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
  ctx.workspace.changed();
  const parent = threadTs ? chat.message(channel.id, threadTs) : undefined;
  const fields = { user: person.id, text, ts: posted.ts, channel: channel.id, ...(threadTs ? { thread_ts: threadTs, parent_user_id: parent?.user } : {}) };
  // Slack sends a mention of the app twice, as two events: the message itself and an app_mention.
  const events = [messageEvent('message', fields, ctx.identity)];
  if (text.includes(`<@${ctx.bot.userId}>`)) events.push(messageEvent('app_mention', fields, ctx.identity));
  for (const event of events) {
    const delivery = await ctx.deliver('json', eventCallback(event, ctx.identity));
    if (!delivery.ok) return deliveryFailed(delivery);
  }
  return answer({ ok: true, ts: posted.ts });
}
