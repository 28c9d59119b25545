import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { GateButtonValue } from '../../domain/gate.ts';
import type { SlackMessage } from '../../integrations/slack.ts';
import type { Logger } from '../../logger.ts';
import { ACTIONS, parseGateButtonValue, parseGateMetadata, VIEWS } from '../views/action-ids.ts';
import { rejectReasonModal } from '../views/reject-reason-modal.ts';

/**
 * A click as the listener read it; jobs/decide-gate.ts checks every part of it on the server.
 * `messageTs` is the message the button was on (Slack's word, in the signed request).
 */
export type GateClick = GateButtonValue & { userId: string; messageTs?: string };

/** What the decision shows: the card replaced where it is, or an ephemeral reply to the clicker alone. */
export type GateAnswer =
  | { kind: 'decided'; card: { channel: string; ts: string; message: SlackMessage } | undefined }
  | { kind: 'refused'; reply: SlackMessage; channel?: string };

export interface GateActionDeps {
  /** main.ts hands these in (jobs/decide-gate.ts with its dependencies). */
  approveGate(click: GateClick): Promise<GateAnswer>;
  rejectGate(click: GateClick & { reason: string }): Promise<GateAnswer>;
  retryMerge(click: GateClick): Promise<GateAnswer>;
  log: Logger;
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & Pick<AllMiddlewareArgs, 'client'>;
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & Pick<AllMiddlewareArgs, 'client'>;
type Client = ButtonArgs['client'];

function userOf(body: unknown): string | undefined {
  // Over HTTP the guard in front of Bolt refuses a payload without a user; Socket Mode has no such guard.
  const id: unknown = (body as { user?: { id?: unknown } }).user?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

async function show(answer: GateAnswer, client: Client, where: { channel: string | undefined; user: string }): Promise<void> {
  if (answer.kind === 'refused') {
    const channel = answer.channel ?? where.channel;
    if (channel) await client.chat.postEphemeral({ channel, user: where.user, text: answer.reply.text, ...(answer.reply.blocks ? { blocks: answer.reply.blocks as never } : {}) });
    return;
  }
  if (answer.card) await client.chat.update({ channel: answer.card.channel, ts: answer.card.ts, text: answer.card.message.text, blocks: (answer.card.message.blocks ?? []) as never });
}

/**
 * Approve and Retry: ack first (Slack wants it within 3 s), then the server decides: who may act,
 * whether the SHA is still the head, whether the run still waits. The button's value is only a
 * claim; a click that fails any check gets an ephemeral reason and the card stays as it was.
 */
async function handleDecision(kind: 'approve' | 'retry', args: ButtonArgs, deps: GateActionDeps): Promise<void> {
  const { ack, body, action, client } = args;
  await ack();
  const channel = body.channel?.id;
  const userId = userOf(body);
  if (!userId) {
    deps.log.info({ action: action?.action_id }, 'gate button payload without a user; ignored');
    return;
  }
  const log = deps.log.child({ action: action.action_id, user: userId, channel });
  const parsed = parseGateButtonValue(action.value);
  try {
    if (!parsed.ok) {
      log.warn({ reason: parsed.reason }, 'gate button with an unusable value');
      if (channel) await client.chat.postEphemeral({ channel, user: userId, text: `Baton could not read that button (${parsed.reason}); nothing changed.` });
      return;
    }
    const messageTs = body.message?.ts ?? (typeof body.container?.message_ts === 'string' ? body.container.message_ts : undefined);
    const click = { ...parsed.value, userId, messageTs };
    const answer = kind === 'approve' ? await deps.approveGate(click) : await deps.retryMerge(click);
    await show(answer, client, { channel, user: userId });
  } catch (error) {
    log.error({ err: error, runId: parsed.ok ? parsed.value.runId : undefined }, `gate ${kind} failed`);
    if (channel) {
      await client.chat
        .postEphemeral({ channel, user: userId, text: 'Baton could not record that just now; nothing was approved or merged. Try again in a minute.' })
        .catch((tellError: unknown) => log.error({ err: tellError }, 'and the clicker could not be told'));
    }
  }
}

/**
 * Reject opens a modal for the reason at once (its trigger expires in 3 s, too soon for the
 * server's checks); the checks run when the reason is submitted.
 */
async function handleReject(args: ButtonArgs, deps: GateActionDeps): Promise<void> {
  const { ack, body, action, client } = args;
  await ack();
  const userId = userOf(body);
  const channel = body.channel?.id;
  const parsed = parseGateButtonValue(action.value);
  if (!userId || !parsed.ok) {
    deps.log.info({ action: action?.action_id, reason: parsed.ok ? 'no user' : parsed.reason }, 'reject button with an unusable payload; ignored');
    if (userId && channel) await client.chat.postEphemeral({ channel, user: userId, text: 'Baton could not read that button; nothing changed.' });
    return;
  }
  const ticketKey = /^[A-Z][A-Z0-9_]*-\d+/.exec(body.message?.text ?? '')?.[0] ?? 'run';
  try {
    await client.views.open({ trigger_id: body.trigger_id, view: rejectReasonModal({ value: parsed.value, ticketKey }) as never });
  } catch (error) {
    deps.log.error({ err: error, runId: parsed.value.runId }, 'could not open the reject modal');
    if (channel) await client.chat.postEphemeral({ channel, user: userId, text: 'Baton could not open the form for the reason; nothing changed. Click Reject again.' });
  }
}

async function handleRejectReason(args: ViewArgs, deps: GateActionDeps): Promise<void> {
  const { ack, body, view, client } = args;
  const parsed = parseGateMetadata(view.private_metadata);
  const reason = view.state.values.reason?.reason?.value?.trim() ?? '';
  if (parsed.ok && reason === '') {
    await ack({ response_action: 'errors', errors: { reason: 'Say why, so the requester and the ticket know.' } });
    return;
  }
  await ack();
  const userId = userOf(body);
  if (!userId || !parsed.ok) {
    deps.log.warn({ reason: parsed.ok ? 'no user' : parsed.reason }, 'reject reason submitted with an unusable payload; ignored');
    return;
  }
  const log = deps.log.child({ user: userId, runId: parsed.value.runId, gate: parsed.value.gate });
  try {
    const answer = await deps.rejectGate({ ...parsed.value, userId, reason });
    await show(answer, client, { channel: undefined, user: userId });
  } catch (error) {
    log.error({ err: error }, 'gate reject failed');
  }
}

export function registerGateActions(app: App, deps: GateActionDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTIONS.gateApprove, (args) => handleDecision('approve', args, deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.gateRetry, (args) => handleDecision('retry', args, deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.gateReject, (args) => handleReject(args, deps));
  app.view<ViewSubmitAction>(VIEWS.rejectReason, (args) => handleRejectReason(args, deps));
}
