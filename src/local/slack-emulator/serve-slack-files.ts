import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, readBody, sendJson, sendText } from './http-io.ts';
import { parseSlackBody, slackArgs, slackToken, uploadedBytes } from './slack-args.ts';
import { mimeType } from './slack-files.ts';
import type { SlackWorkspace } from './slack-workspace.ts';

// Baton's calls are a few kilobytes of blocks; Slack itself takes far larger bodies, but nothing here needs them.
const API_BODY_LIMIT = 4 * 1024 * 1024;
const UPLOAD_LIMIT = 32 * 1024 * 1024;

/** `/api/<method>`: one Web API call, GET or POST, form or JSON, answered as Slack answers (HTTP 200, `ok`). */
export async function serveWebApi(workspace: SlackWorkspace, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = decodeURIComponent(url.pathname.slice('/api/'.length));
  let raw: Buffer;
  try {
    raw = await readBody(req, API_BODY_LIMIT);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    return sendJson(res, 413, { ok: false, error: 'request_too_large' }, { connection: 'close' });
  }
  const args = slackArgs(url.searchParams, parseSlackBody(raw, req.headers['content-type']));
  sendJson(res, 200, workspace.call(method, args, slackToken(req.headers, args)));
}

/** `POST /upload/v1/<file id>`: the upload URL is pre-signed on Slack, so it takes no token; it answers in plain text. */
export async function serveUpload(workspace: SlackWorkspace, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (req.method !== 'POST') return sendText(res, 405, 'Method Not Allowed');
  let raw: Buffer;
  try {
    raw = await readBody(req, UPLOAD_LIMIT);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    res.setHeader('connection', 'close');
    return sendText(res, 413, 'Payload Too Large');
  }
  const data = await uploadedBytes(raw, req.headers['content-type']).catch(() => undefined);
  if (!data) return sendText(res, 400, 'Bad Request');
  const fileId = decodeURIComponent(url.pathname.slice('/upload/v1/'.length));
  if (!workspace.files.receive(fileId, data)) return sendText(res, 404, 'Not Found');
  sendText(res, 200, `OK - ${data.length}`);
}

/**
 * `GET /files/<id>[/<name>]`: a shared file's bytes. Files are what Baton uploaded, which carries
 * text from tickets and diffs: text is served as text/plain and nothing is sniffed, so a file can
 * never run as a page on this origin.
 */
export function serveFile(workspace: SlackWorkspace, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { ok: false, error: 'method_not_allowed' });
  const fileId = decodeURIComponent(url.pathname.slice('/files/'.length).split('/')[0] ?? '');
  const file = workspace.files.file(fileId);
  if (!file?.data) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
  const mime = mimeType(file.filename);
  const type = mime.startsWith('text/') || mime === 'application/json' ? 'text/plain; charset=utf-8' : mime === 'image/png' ? mime : 'application/octet-stream';
  const download = url.searchParams.has('download') || type === 'application/octet-stream';
  res.writeHead(200, {
    'content-type': type,
    'content-length': String(file.data.length),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'content-disposition': `${download ? 'attachment' : 'inline'}; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
  });
  res.end(req.method === 'HEAD' ? undefined : file.data);
}
