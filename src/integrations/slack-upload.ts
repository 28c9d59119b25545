import { createWebClient, type SlackClientOptions } from './slack.ts';

export interface SlackFile {
  filename: string;
  content: string;
  title: string;
  /** Posted with the file, as its message in the thread. */
  initialComment?: string;
  /** Slack's snippet language for text files (`diff` highlights +/- lines). */
  snippetType?: string;
}

/** Uploads a file into a thread; returns Slack's file id. */
export type UploadFile = (channel: string, threadTs: string, file: SlackFile) => Promise<{ fileId: string }>;

/**
 * `files.uploadV2` through the WebClient (it runs Slack's three steps: getUploadURLExternal, the
 * upload itself, completeUploadExternal). A file of its own beside slack.ts: only run.publish
 * uploads, and the SlackClient port the other jobs share stays as small as it is.
 */
export function createSlackUploader(options: SlackClientOptions): UploadFile {
  const web = createWebClient(options);
  return async (channel, threadTs, file) => {
    const result = await web.files.uploadV2({
      channel_id: channel,
      thread_ts: threadTs,
      filename: file.filename,
      title: file.title,
      content: file.content,
      ...(file.initialComment ? { initial_comment: file.initialComment } : {}),
      ...(file.snippetType ? { snippet_type: file.snippetType } : {}),
    });
    const uploaded = (result as { files?: { files?: { id?: string }[] }[] }).files?.[0]?.files?.[0];
    if (!uploaded?.id) throw Object.assign(new Error('Slack accepted the upload but returned no file id'), { code: 'slack_upload_no_file' });
    return { fileId: uploaded.id };
  };
}
