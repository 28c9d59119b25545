import type { Node } from './tree.js';
import type { RenderContext } from './render-context.js';
export function pullPath(id: string | number): string;
export function renderPullList(pulls: Record<string, unknown>[], ctx?: RenderContext): Node;
export function renderFileDiffs(diff: unknown): Node[];
export function renderPull(data: { pull: Record<string, unknown>; diff?: string; checks?: Record<string, unknown>[]; comments?: Record<string, unknown>[] }, ctx: RenderContext): Node;
