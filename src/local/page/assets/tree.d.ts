// Types for tree.js (plain JS served to the browser as is; these let Node tests import it).
export interface Node {
  tag: string;
  attrs: Record<string, unknown> & { on?: Record<string, (ev?: unknown) => unknown> };
  children: Child[];
}
export type Child = Node | string;
export type Children = Child | number | null | undefined | false | true | Children[];
export function h(tag: string, attrs?: Record<string, unknown> | null, ...children: Children[]): Node;
export function safeUrl(url: unknown): string | null;
export function safeTag(tag: string): string;
export function allowedAttrs(attrs: Record<string, unknown>): [string, string][];
export function escapeHtml(text: unknown): string;
export function toHtml(node: Child | Child[]): string;
export function textOf(node: Child | Child[]): string;
export function findAll(node: Child | Child[], test: (n: Node) => boolean, out?: Node[]): Node[];
