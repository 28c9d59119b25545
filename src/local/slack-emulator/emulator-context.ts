import type { Delivery } from './deliver-to-baton.ts';
import type { ResponseUrls } from './response-urls.ts';
import type { Identity, Person } from './slack-payloads.ts';
import type { SlackWorkspace } from './slack-workspace.ts';

/** What the emulator's parts share: the workspace, who is in it, and the way to Baton. */
export interface EmulatorContext {
  workspace: SlackWorkspace;
  responses: ResponseUrls;
  identity: Identity;
  team: { id: string; name: string };
  bot: { userId: string; botId: string; name: string };
  channels: { id: string; name: string }[];
  /** A person of the workspace (not the bot), or undefined. */
  person(userId: unknown): Person | undefined;
  channel(channelId: unknown): { id: string; name: string } | undefined;
  /** One signed POST to Baton's /slack/events. */
  deliver(kind: 'form' | 'json', body: string): Promise<Delivery>;
  /** The version the page sees; it moves on every change. */
  version(): number;
}

/** A page API answer: the HTTP status and the JSON body. */
export interface PageAnswer {
  status: number;
  body: Record<string, unknown>;
}

export const answer = (body: Record<string, unknown>, status = 200): PageAnswer => ({ status, body });
export const refuse = (status: number, error: string, extra: Record<string, unknown> = {}): PageAnswer => ({
  status,
  body: { ok: false, error, ...extra },
});

/** A delivery Baton refused or never answered, as the page hears it (with Baton's status when it had one). */
export function deliveryFailed(delivery: Delivery): PageAnswer {
  if (delivery.status === 0) return refuse(502, 'error' in delivery ? delivery.error : 'baton_unreachable');
  return refuse(delivery.status, 'baton_refused', { status: delivery.status });
}
