import type { IncomingHttpHeaders } from 'node:http';

/** The arguments of one Web API call, from the query string and the body (JSON or form). */
export type SlackArgs = Record<string, unknown>;

/**
 * Fields a form-encoded call carries as JSON text. The WebClient flattens every object argument
 * this way; decoding them lets handlers treat form and JSON bodies alike.
 */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata']);

/** Arguments from the query string and a parsed body, JSON-in-form fields decoded. */
export function slackArgs(query: URLSearchParams, body: unknown): SlackArgs {
  const args: SlackArgs = Object.fromEntries(query);
  if (body && typeof body === 'object' && !Array.isArray(body)) Object.assign(args, body);
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
    // Slack would reject the call; keeping the text lets the handler (and a test) see what was sent.
    return text;
  }
}

/** The token a call carries: the Authorization header first, then the `token` field, as Slack reads it. */
export function slackToken(headers: IncomingHttpHeaders, args: SlackArgs): string | undefined {
  const header = headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const token = args.token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** A body as Slack's API reads it: JSON, form fields, or (for anything else) the text. */
export function parseSlackBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if (contentType?.includes('application/json')) {
    try {
      return JSON.parse(text);
    } catch {
      // Slack answers a malformed JSON body as if no arguments came (`invalid_arguments` and the like).
      return text;
    }
  }
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  return text;
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

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The bytes of an upload: the first file part of a multipart body (what the WebClient sends),
 * or the raw body when a client posts the bytes directly (which Slack's upload URL also accepts).
 */
export async function uploadedBytes(rawBody: Buffer, contentType: string | undefined): Promise<Buffer> {
  if (!contentType?.startsWith('multipart/form-data')) return rawBody;
  const form = await new Response(rawBody, { headers: { 'content-type': contentType } }).formData();
  for (const [, value] of form) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  const [first] = [...form.values()];
  return Buffer.from(typeof first === 'string' ? first : '');
}
