import type { FakeRequest, RecordedCall } from './fake-server.ts';

export type SlackArgs = Record<string, unknown>;

/** One Web API call as the Slack fake understood it. */
export interface SlackCall {
  method: string;
  /** The token the caller authenticated with (Authorization header first, then the `token` field). */
  token: string | undefined;
  args: SlackArgs;
  /** HTTP status; Slack answers errors with 200 and `ok:false`, so this is 200 unless a fault was injected. */
  status: number;
  at: number;
}

/**
 * Fields a form-encoded call carries as JSON text. The WebClient flattens every object argument
 * this way; decoding them lets handlers treat form and JSON bodies alike.
 */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata']);

/** Arguments from the query string and the body (JSON or form), JSON-in-form fields decoded. */
export function slackArgs(req: FakeRequest): SlackArgs {
  const args: SlackArgs = Object.fromEntries(req.query);
  if (req.body && typeof req.body === 'object' && !Array.isArray(req.body)) Object.assign(args, req.body);
  for (const key of JSON_FIELDS) {
    const value = args[key];
    if (typeof value === 'string') args[key] = parseJsonOr(value);
  }
  return args;
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Slack would reject the call; keeping the text lets the handler (and the test) see what was sent.
    return text;
  }
}

export function slackToken(req: FakeRequest): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const token = slackArgs(req).token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

export function toSlackCall(call: RecordedCall): SlackCall {
  const method = call.path.replace(/^\/api\//, '');
  return { method, token: slackToken(call), args: slackArgs(call), status: call.status, at: call.at };
}

/** Form fields arrive as strings ("true"/"1"); JSON bodies carry real booleans. */
export function flag(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * The bytes of an upload: the first file part of a multipart body (what the WebClient sends),
 * or the raw body when a client posts the bytes directly (which Slack's upload URL also accepts).
 */
export async function uploadedBytes(req: FakeRequest): Promise<Buffer> {
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.startsWith('multipart/form-data')) return req.rawBody;
  const form = await new Response(req.rawBody, { headers: { 'content-type': contentType } }).formData();
  for (const [, value] of form) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  const [first] = [...form.values()];
  return Buffer.from(typeof first === 'string' ? first : '');
}
