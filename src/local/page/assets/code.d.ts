import type { Node } from './tree.js';
export function looksLikeDiff(text: string): boolean;
export function renderDiff(text: string, attrs?: Record<string, unknown>): Node;
export function renderCode(text: string): Node;
