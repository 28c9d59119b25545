interface Workspace {
  bot?: { id: string; name: string };
  users?: { id: string; name?: string; real_name?: string }[];
}
export function encodeComposerText(typed: string, state: Workspace): string;
