import { extname } from 'node:path';
import { str, type SlackArgs } from './slack-args.ts';

type Result = Record<string, unknown>;

/** One file through the three-step external upload, as far as it got. */
export interface SlackUpload {
  file_id: string;
  filename: string;
  length: number;
  alt_text?: string;
  snippet_type?: string;
  /** The bytes POSTed to the upload URL; absent until that step happens. */
  data?: Buffer;
  completed: boolean;
  title?: string;
  channel_id?: string;
  thread_ts?: string;
  initial_comment?: string;
}

/** Where a workspace's files live: the pre-signed upload URL, the file's own URL and its permalink. */
export interface FileUrls {
  upload: (fileId: string) => string;
  file: (fileId: string, filename: string) => string;
  permalink: (fileId: string, filename: string) => string;
}

const MIME: Record<string, string> = {
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.diff': 'text/x-diff',
  '.patch': 'text/x-diff',
  '.log': 'text/plain',
  '.png': 'image/png',
};

export function mimeType(filename: string): string {
  return MIME[extname(filename).toLowerCase()] ?? 'application/octet-stream';
}

/** `files.getUploadURLExternal` → POST to the upload URL → `files.completeUploadExternal`. */
export class SlackFiles {
  private readonly uploads = new Map<string, SlackUpload>();
  private counter = 0;

  constructor(private readonly ids: { teamId: string; userId: string; filePrefix: string; urls: FileUrls }) {}

  getUploadURL(a: SlackArgs): Result {
    const filename = str(a.filename);
    const length = Number(a.length);
    if (!filename || !Number.isInteger(length) || length < 0) return { ok: false, error: 'invalid_arguments' };
    this.counter += 1;
    const file_id = `${this.ids.filePrefix}${String(this.counter).padStart(5, '0')}`;
    const upload: SlackUpload = { file_id, filename, length, completed: false };
    if (str(a.alt_text)) upload.alt_text = str(a.alt_text);
    if (str(a.snippet_type)) upload.snippet_type = str(a.snippet_type);
    this.uploads.set(file_id, upload);
    return { ok: true, upload_url: this.ids.urls.upload(file_id), file_id };
  }

  /** The bytes for an upload URL; false when no such upload was asked for. */
  receive(fileId: string, data: Buffer): boolean {
    const upload = this.uploads.get(fileId);
    if (!upload) return false;
    upload.data = data;
    return true;
  }

  complete(a: SlackArgs): Result {
    const requested = Array.isArray(a.files) ? (a.files as { id?: unknown; title?: unknown }[]) : [];
    if (requested.length === 0) return { ok: false, error: 'invalid_arguments' };
    const ready = requested
      .map((f) => ({ upload: this.uploads.get(String(f.id)), title: str(f.title) }))
      .filter((f): f is { upload: SlackUpload; title: string | undefined } => !!f.upload?.data && !f.upload.completed);
    // Slack refuses to complete a file whose bytes never arrived at the upload URL.
    if (ready.length !== requested.length) return { ok: false, error: 'file_not_found' };
    const files = ready.map(({ upload, title }) => {
      Object.assign(upload, {
        completed: true,
        title: title ?? upload.filename,
        channel_id: str(a.channel_id),
        thread_ts: str(a.thread_ts),
        initial_comment: str(a.initial_comment),
      });
      return this.fileObject(upload);
    });
    return { ok: true, files };
  }

  /** A completed file, with its bytes; an upload still in progress is not a file yet. */
  file(fileId: string): SlackUpload | undefined {
    const upload = this.uploads.get(fileId);
    return upload?.completed ? { ...upload, data: upload.data && Buffer.from(upload.data) } : undefined;
  }

  list(): SlackUpload[] {
    return [...this.uploads.values()].map((u) => ({ ...u, data: u.data && Buffer.from(u.data) }));
  }

  clear(): void {
    this.uploads.clear();
  }

  /**
   * Slack's file object. `shares`/`channels` are left out on purpose: Slack shares asynchronously and
   * often returns them empty here, so code must not depend on them.
   */
  private fileObject(u: SlackUpload): Result {
    const ext = extname(u.filename).toLowerCase();
    const url = this.ids.urls.file(u.file_id, u.filename);
    const created = Math.floor(Date.now() / 1000);
    return {
      id: u.file_id,
      created,
      timestamp: created,
      name: u.filename,
      title: u.title,
      mimetype: mimeType(u.filename),
      filetype: ext ? ext.slice(1) : 'binary',
      user: this.ids.userId,
      user_team: this.ids.teamId,
      editable: false,
      size: u.data?.length ?? u.length,
      mode: 'hosted',
      is_external: false,
      is_public: Boolean(u.channel_id),
      public_url_shared: false,
      url_private: url,
      url_private_download: `${url}?download=1`,
      permalink: this.ids.urls.permalink(u.file_id, u.filename),
      alt_txt: u.alt_text,
    };
  }
}
