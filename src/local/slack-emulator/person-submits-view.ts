import { answer, deliveryFailed, refuse, type EmulatorContext, type PageAnswer } from './emulator-context.ts';
import { isObject, str } from './slack-args.ts';
import { interactionForm, viewClosedPayload, viewSubmissionPayload } from './slack-payloads.ts';

type Json = Record<string, unknown>;

/** `{ [block_id]: { [action_id]: { type, value } } }`, as Slack puts a view's state. */
function isStateValues(values: unknown): values is Record<string, Record<string, Json>> {
  return isObject(values) && Object.values(values).every((actions) => isObject(actions) && Object.values(actions).every(isObject));
}

/**
 * `POST /_/slack/view_submit` `{ user, view_id, values }`: a modal submitted. Baton's ack decides
 * what happens, as on Slack: an empty ack closes the view; `response_action` `errors` keeps it open
 * (the page gets `{ ok: false, errors }`), `update` replaces it, `push` stacks a new one, `clear`
 * closes the whole modal.
 */
export async function personSubmitsView(ctx: EmulatorContext, body: Json): Promise<PageAnswer> {
  const person = ctx.person(body.user);
  const viewId = str(body.view_id);
  if (!person) return refuse(400, 'user_not_found');
  if (!viewId || ctx.workspace.views.ownerOf(viewId) !== person.id) return refuse(404, 'view_not_found');
  const values = body.values ?? {};
  if (!isStateValues(values)) return refuse(400, 'invalid_values');
  const views = ctx.workspace.views;
  views.setValues(viewId, values);
  const view = views.view(viewId)!;
  const payload = viewSubmissionPayload({ user: person, view, triggerId: ctx.workspace.issueTrigger(person.id) }, ctx.identity);
  const delivery = await ctx.deliver('form', interactionForm(payload));
  if (!delivery.ok) return deliveryFailed(delivery);
  const ack = isObject(delivery.json) ? delivery.json : {};
  const done = (): PageAnswer => {
    ctx.workspace.changed();
    return answer({ ok: true });
  };
  switch (ack.response_action) {
    case 'errors':
      return answer({ ok: false, error: 'invalid_input', errors: isObject(ack.errors) ? ack.errors : {} });
    case 'update': {
      const updated = views.update({ view_id: viewId, view: ack.view });
      return updated.ok === true ? done() : refuse(502, 'baton_sent_an_invalid_view');
    }
    case 'push': {
      const pushed = views.push({ view: ack.view }, person.id);
      return pushed.ok === true ? done() : refuse(502, String(pushed.error));
    }
    case 'clear': {
      const root = views.stack(person.id)[0];
      if (root) views.close(person.id, String(root.id));
      return done();
    }
    default:
      views.close(person.id, viewId);
      return done();
  }
}

/**
 * `POST /_/slack/view_close` `{ user, view_id }`: the person closed a view (and any pushed above
 * it). Baton hears of it only when the view asked (`notify_on_close`), as on Slack.
 */
export async function personClosesView(ctx: EmulatorContext, body: Json): Promise<PageAnswer> {
  const person = ctx.person(body.user);
  const viewId = str(body.view_id);
  if (!person) return refuse(400, 'user_not_found');
  if (!viewId || ctx.workspace.views.ownerOf(viewId) !== person.id) return refuse(404, 'view_not_found');
  const closed = ctx.workspace.views.close(person.id, viewId);
  ctx.workspace.changed();
  const isCleared = ctx.workspace.views.stack(person.id).length === 0 && closed.length > 1;
  for (const view of closed.filter((v) => v.notify_on_close === true)) {
    const delivery = await ctx.deliver('form', interactionForm(viewClosedPayload({ user: person, view, isCleared }, ctx.identity)));
    if (!delivery.ok) return deliveryFailed(delivery);
  }
  return answer({ ok: true });
}
