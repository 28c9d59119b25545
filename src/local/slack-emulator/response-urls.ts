import { randomBytes } from 'node:crypto';
import { isObject, str } from './slack-args.ts';
import type { SlackWorkspace } from './slack-workspace.ts';

/** The message an interaction came from, which `replace_original` and `delete_original` act on. */
export type Original = { kind: 'message'; channel: string; ts: string } | { kind: 'ephemeral'; ts: string };

interface ResponseContext {
  user: string;
  channel: string;
  threadTs: string | undefined;
  original: Original | undefined;
  uses: number;
  expiresAt: number;
}

/** Slack's limits on a response_url: five uses within thirty minutes. */
const MAX_USES = 5;
const LIFETIME_MS = 30 * 60 * 1000;

export type ResponseResult = { status: number; body: Record<string, unknown> };

/**
 * response_urls the emulator hands out with slash commands and button clicks. A POST to one shows
 * what it says where Slack would: an ephemeral for the person (the default), a message in the
 * channel (`in_channel`), or the original message replaced or deleted.
 */
export class ResponseUrls {
  private readonly contexts = new Map<string, ResponseContext>();

  constructor(
    private readonly workspace: SlackWorkspace,
    private readonly base: string,
  ) {}

  issue(context: Omit<ResponseContext, 'uses' | 'expiresAt'>): string {
    const id = randomBytes(12).toString('hex');
    this.contexts.set(id, { ...context, uses: 0, expiresAt: Date.now() + LIFETIME_MS });
    for (const [key, c] of this.contexts) if (c.expiresAt < Date.now()) this.contexts.delete(key);
    return `${this.base}/${id}`;
  }

  /** The original a later response_url should act on (a command's first ephemeral answer, say). */
  setOriginal(url: string, original: Original): void {
    const context = this.contexts.get(url.slice(this.base.length + 1));
    if (context && !context.original) context.original = original;
  }

  post(id: string, body: unknown): ResponseResult {
    const context = this.contexts.get(id);
    if (!context || context.expiresAt < Date.now()) return { status: 404, body: { ok: false, error: 'expired_url' } };
    if (context.uses >= MAX_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
    if (!isObject(body)) return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    const answer = this.apply(context, body);
    if (answer.status < 400) {
      context.uses += 1;
      this.workspace.changed();
    }
    return answer;
  }

  private apply(context: ResponseContext, body: Record<string, unknown>): ResponseResult {
    const chat = this.workspace.chat;
    const original = context.original;
    if (body.delete_original === true || body.delete_original === 'true') {
      if (!original) return { status: 404, body: { ok: false, error: 'message_not_found' } };
      const deleted = original.kind === 'ephemeral'
        ? chat.deleteEphemeral(original.ts)
        : chat.delete({ channel: original.channel, ts: original.ts }).ok === true;
      return deleted ? { status: 200, body: { ok: true } } : { status: 404, body: { ok: false, error: 'message_not_found' } };
    }
    const text = str(body.text) ?? '';
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    if (!text && !blocks) return { status: 400, body: { ok: false, error: 'no_text' } };
    if ((body.replace_original === true || body.replace_original === 'true') && original) {
      const replaced = original.kind === 'ephemeral'
        ? chat.replaceEphemeral(original.ts, { text, ...(blocks ? { blocks } : {}) })
        : chat.update({ channel: original.channel, ts: original.ts, text, ...(blocks ? { blocks } : {}) }).ok === true;
      return replaced ? { status: 200, body: { ok: true } } : { status: 404, body: { ok: false, error: 'message_not_found' } };
    }
    const threadTs = str(body.thread_ts) ?? context.threadTs;
    if (body.response_type === 'in_channel') {
      const posted = chat.postMessage({ channel: context.channel, text, blocks, thread_ts: threadTs });
      return posted.ok === true ? { status: 200, body: { ok: true } } : { status: 404, body: { ok: false, error: String(posted.error) } };
    }
    const ts = chat.addEphemeral({ channel: context.channel, user: context.user, text, ...(blocks ? { blocks } : {}), ...(threadTs ? { thread_ts: threadTs } : {}) });
    if (!context.original) context.original = { kind: 'ephemeral', ts };
    return { status: 200, body: { ok: true } };
  }
}
