import type { Child, Node } from './tree.js';
import type { RenderContext } from './render-context.js';
type Message = Record<string, unknown> & { channel: string; ts: string };
type Ephemeral = Record<string, unknown> & { channel: string };
interface State {
  messages: Message[];
  ephemerals?: Ephemeral[];
  thread_statuses?: { channel: string; thread_ts: string; status: string }[];
}
export function isReply(m: Message): boolean;
export function channelMessages(messages: Message[], channel: string): Message[];
export function repliesOf(messages: Message[], channel: string, ts: string): Message[];
export function ephemeralTs(e: Ephemeral): string;
export function ephemeralsIn(ephemerals: Ephemeral[], channel: string, threadTs?: string): Ephemeral[];
export function authorOf(m: Message, ctx: RenderContext): { id: string; name: string; isBot: boolean };
export function renderMessage(m: Message, ctx: RenderContext, opts?: { inThread?: boolean; replyCount?: number; highlight?: boolean }): Node;
export function renderEphemeral(e: Ephemeral, ctx: RenderContext): Node;
export function renderTimeline(messages: Message[], ephemerals: Ephemeral[], ctx: RenderContext, opts?: { inThread?: boolean; noDays?: boolean; replyCounts?: Map<string, number>; highlightTs?: string | null }): Node[];
export function replyCounts(messages: Message[], channel: string): Map<string, number>;
export function renderThreadBody(state: State, channel: string, rootTs: string, ctx: RenderContext): Child[];
export function renderModal(view: Record<string, unknown>, ctx: RenderContext, handlers: { onSubmit?: (view: unknown) => unknown; onClose?: (view: unknown) => unknown }): Node;
export function renderConfirm(confirm: Record<string, unknown>, ctx: RenderContext, handlers: { onOk?: () => unknown; onCancel?: () => unknown }): Node;
export function renderHome(home: { view?: Record<string, unknown> } | null | undefined, ctx: RenderContext): Node;
