import type { Node } from './tree.js';
import type { RenderContext } from './render-context.js';
export function ticketPath(key: string): string;
export function renderNewTicketForm(teams: string[], ctx: RenderContext): Node;
export function renderTicketList(tickets: Record<string, unknown>[], ctx: RenderContext): Node;
export function renderTicket(data: { ticket: Record<string, unknown>; comments?: Record<string, unknown>[]; history?: Record<string, unknown>[] }, ctx: RenderContext): Node;
