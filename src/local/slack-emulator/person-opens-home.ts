import { answer, deliveryFailed, refuse, type EmulatorContext, type PageAnswer } from './emulator-context.ts';
import { eventCallback } from './slack-payloads.ts';

/** The id of a person's direct-message channel with the app, where Slack says the Home tab lives. */
export function appChannelId(userId: string): string {
  return `D${userId.replace(/^[UW]/, '')}`;
}

/** `POST /_/slack/home_opened` `{ user }`: the person opened the app's Home tab; Baton hears `app_home_opened`. */
export async function personOpensHome(ctx: EmulatorContext, body: Record<string, unknown>): Promise<PageAnswer> {
  const person = ctx.person(body.user);
  if (!person) return refuse(400, 'user_not_found');
  const home = ctx.workspace.views.home(person.id);
  const event = {
    type: 'app_home_opened',
    user: person.id,
    channel: appChannelId(person.id),
    tab: 'home',
    ...(home ? { view: home } : {}),
  };
  const delivery = await ctx.deliver('json', eventCallback(event, ctx.identity));
  return delivery.ok ? answer({ ok: true }) : deliveryFailed(delivery);
}
