import { networkFailureCode, parseRetryAfter } from '../trackers/ticket-tracker.ts';

/**
 * `rate_limited` and `unavailable` go away by themselves (the job queue retries them after
 * `retryAfterSeconds`); the others need a person, so the message says what to fix.
 */
export type GitHubErrorCode = 'not_found' | 'rate_limited' | 'unavailable' | 'auth' | 'invalid' | 'conflict';

export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** GitHub's own words ("Head branch was modified…"), for callers that tell refusals apart. */
  readonly githubMessage: string | undefined;

  constructor(
    readonly code: GitHubErrorCode,
    message: string,
    details: { status?: number; retryAfterSeconds?: number; githubMessage?: string } = {},
  ) {
    super(message);
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.githubMessage = details.githubMessage;
  }
}

/** The parts of Octokit's RequestError read here; checked by shape, since @octokit/request-error is not a direct dependency. */
interface RequestErrorLike {
  status: number;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return error instanceof Error && error.name === 'HttpError' && typeof (error as { status?: unknown }).status === 'number';
}

/** GitHub's `{message, errors: [{message|code|field}]}`; the detail is where "A pull request already exists" lives. */
function githubReason(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return typeof data === 'string' && data ? data.slice(0, 300) : undefined;
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  const details = (Array.isArray(errors) ? errors : []).map((e: unknown) => {
    if (typeof e === 'string') return e;
    const { message: m, field, code } = (e ?? {}) as Record<string, unknown>;
    return typeof m === 'string' ? m : [field, code].filter((x) => typeof x === 'string').join(' ');
  }).filter(Boolean);
  const text = [typeof message === 'string' ? message : undefined, ...details].filter(Boolean).join(': ');
  return text ? text.slice(0, 300) : undefined;
}

/** "GET /repos/acme/app/pulls/7", without the host or query string. */
function routeOf(error: { request?: { method?: string; url?: string } }): string {
  const { method = 'GET', url = '' } = error.request ?? {};
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0] ?? ''; // a relative URL: already a path
  }
  return `${method} ${path}`;
}

/**
 * Any failure of an Octokit call → GitHubError. Runs once, in the client's request hook.
 * `redact` blanks credentials from the text GitHub sent back, in case a proxy echoed them.
 */
export function githubError(error: unknown, redact: (text: string) => string = (t) => t, now = Date.now()): GitHubError {
  if (error instanceof GitHubError) return error;
  const network = networkFailureCode(error);
  // Octokit reports a request that got no answer as status 500 with no response.
  if (network || (isRequestError(error) && !error.response)) {
    return new GitHubError('unavailable', `GitHub could not be reached (${network ?? 'no answer'})`);
  }
  if (!isRequestError(error)) throw error; // not a GitHub failure: a bug here, and better seen as one
  const { status } = error;
  const headers = error.response?.headers ?? {};
  const header = (name: string): string | undefined => (headers[name] === undefined ? undefined : String(headers[name]));
  const reason = githubReason(error.response?.data);
  const githubMessage = reason === undefined ? undefined : redact(reason);
  const route = routeOf(error);
  const because = githubMessage ? `: ${githubMessage}` : '';

  // GitHub signals both its primary (x-ratelimit-remaining: 0) and secondary limits with 403 or 429.
  const exhausted = header('x-ratelimit-remaining') === '0';
  const secondary = /secondary rate limit|abuse/i.test(reason ?? '');
  if (status === 429 || (status === 403 && (exhausted || secondary))) {
    const reset = Number(header('x-ratelimit-reset'));
    const retryAfterSeconds = parseRetryAfter(header('retry-after'), now)
      ?? (exhausted && reset > 0 ? Math.max(0, Math.ceil(reset - now / 1000)) : undefined)
      // With neither header, GitHub asks integrations to wait at least a minute.
      ?? 60;
    return new GitHubError('rate_limited', `GitHub is rate-limiting Baton (${route}); retry in ${retryAfterSeconds} s`, { status, retryAfterSeconds, githubMessage });
  }
  const details = { status, githubMessage };
  if (status >= 500) return new GitHubError('unavailable', `GitHub is unavailable (HTTP ${status} on ${route})`, details);
  if (status === 401) {
    return new GitHubError('auth', `GitHub refused Baton's credentials (HTTP 401 on ${route}${because}); check GITHUB_TOKEN, or the GitHub App id, private key and installation id`, details);
  }
  if (status === 403) {
    return new GitHubError('auth', `GitHub denied ${route}${because}; check the token's or App's permissions (docs/github-app.md)`, details);
  }
  if (status === 404) {
    return new GitHubError('not_found', `GitHub found nothing at ${route}; check the name, and that Baton's token or App installation can see that repository`, details);
  }
  if (status === 409) return new GitHubError('conflict', `GitHub refused ${route} (HTTP 409${because})`, details);
  return new GitHubError('invalid', `GitHub rejected ${route} (HTTP ${status}${because})`, details);
}
