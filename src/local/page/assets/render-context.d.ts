// The context the pure renderers (mrkdwn.js, blocks.js, slack-view.js, the page views) take.
export interface RenderContext {
  userName?: (id: string) => string | undefined;
  channelName?: (id: string) => string | undefined;
  locale?: string;
  timeZone?: string;
  now?: Date;
  users?: { id: string; name?: string; real_name?: string; is_bot?: boolean }[];
  bot?: { id: string; name: string };
  fileById?: (id: string) => Record<string, unknown> | undefined;
  onAction?: (element: Record<string, unknown>, block: Record<string, unknown>, container: unknown) => unknown;
  onOpenThread?: (channel: string, ts: string) => unknown;
  onOpenFile?: (file: Record<string, unknown>) => unknown;
  container?: unknown;
  errors?: Record<string, string>;
  values?: Record<string, Record<string, string>>;
  formError?: string | null;
  [handler: string]: unknown;
}
