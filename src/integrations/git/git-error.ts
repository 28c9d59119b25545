export type GitErrorCode =
  | 'git_failed'
  | 'git_timeout'
  | 'git_not_found'
  | 'invalid_input'
  | 'base_branch_not_found'
  | 'branch_in_use'
  | 'workspace_dirty'
  | 'rebase_conflict'
  | 'push_refused'
  | 'push_rejected'
  | 'push_stale_lease'
  | 'push_unexpected_refs'
  | 'lock_timeout'
  | 'lock_lost';

export interface GitErrorDetails {
  /** The git command line, secrets already redacted. */
  command?: string;
  /** git's stderr, secrets already redacted. */
  stderr?: string;
  /** The end of git's stdout when it failed (push --porcelain reports rejections there), secrets already redacted. */
  stdout?: string;
  exitCode?: number;
  /** For `rebase_conflict`: the files both sides changed. */
  files?: string[];
  cause?: unknown;
}

/** Every failure of the git integration; `code` is what callers branch on, the message is for people. */
export class GitError extends Error {
  readonly command: string | undefined;
  readonly stderr: string | undefined;
  readonly stdout: string | undefined;
  readonly exitCode: number | undefined;
  readonly files: string[];

  constructor(
    readonly code: GitErrorCode,
    message: string,
    details: GitErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'GitError';
    this.command = details.command;
    this.stderr = details.stderr;
    this.stdout = details.stdout;
    this.exitCode = details.exitCode;
    this.files = details.files ?? [];
  }
}
