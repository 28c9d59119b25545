import type { Child, Node } from './tree.js';
import type { RenderContext } from './render-context.js';
export function renderBlocks(blocks: unknown, ctx?: RenderContext): Node[];
export function renderMessageBody(message: { text?: string; blocks?: unknown[] }, ctx?: RenderContext): Child | Child[];
