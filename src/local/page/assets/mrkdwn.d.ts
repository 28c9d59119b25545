import type { Child } from './tree.js';
import type { RenderContext } from './render-context.js';
export function unescapeEntities(text: string): string;
export function renderToken(inner: string, ctx: RenderContext, plain?: boolean): Child;
export function renderInline(text: string, ctx?: RenderContext): Child[];
export function renderMrkdwn(text: unknown, ctx?: RenderContext): Child[];
export function renderTextObject(obj: unknown, ctx?: RenderContext): Child[];
