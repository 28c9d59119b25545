export const GITHUB_DOCS = 'https://docs.github.com/rest';

/** Thrown by store and route code; the fake turns it into GitHub's `{message, documentation_url, errors?}` body. */
export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
    readonly documentationUrl = GITHUB_DOCS,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
      documentation_url: this.documentationUrl,
      status: String(this.status),
    };
  }
}
