import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { createRedactor, type Logger } from '../../logger.ts';
import { networkFailureCode } from '../trackers/ticket-tracker.ts';
import { githubError } from './github-error.ts';

export type GitHubAuth =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: string | number; privateKey: string; installationId: number };

export interface OctokitOptions {
  apiUrl: string;
  auth: GitHubAuth;
  /** Extra attempts for a GET that met a 5xx or no answer; everything else is left to the job queue. */
  retries: number;
  retryDelayMs: number;
  log: Logger | undefined;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Octokit pointed at `apiUrl`, whose every failure comes out as a GitHubError. With an App,
 * Octokit hands its own `request` (same base URL, same hooks) to createAppAuth, so installation
 * tokens come from the same server as everything else, and are cached and refreshed by it.
 */
export function createOctokit(options: OctokitOptions): Octokit {
  const { auth } = options;
  const redact = createRedactor(auth.kind === 'token' ? [auth.token] : [auth.privateKey]);
  const octokit = new Octokit({
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'baton',
    log: octokitLog(options.log, redact),
    ...(auth.kind === 'token'
      ? { auth: auth.token }
      : { authStrategy: createAppAuth, auth: { appId: auth.appId, privateKey: auth.privateKey, installationId: auth.installationId } }),
  });

  // Registered hooks wrap the ones before them, so this retry runs inside the translation below.
  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        // Only reads are repeated here: a POST that timed out may have happened.
        const transient = networkFailureCode(error) !== undefined || ((error as { status?: number }).status ?? 0) >= 500;
        if (requestOptions.method !== 'GET' || !transient || attempt >= options.retries) throw error;
        await options.sleep(options.retryDelayMs * 2 ** attempt);
      }
    }
  });
  octokit.hook.error('request', (error) => {
    throw githubError(error, redact);
  });
  return octokit;
}

/**
 * Octokit's request log. `debug` gets each request's whole options: bodies, and for the App's
 * token exchange the signed JWT in its Authorization header, so it is dropped. The one-line
 * summaries go to debug, errors included: whoever catches the GitHubError logs it, once.
 */
function octokitLog(log: Logger | undefined, redact: (text: string) => string) {
  const line = (level: 'debug' | 'warn') => (message: unknown): void => {
    if (log && typeof message === 'string') log[level]({ integration: 'github' }, redact(message));
  };
  return { debug: (): void => {}, info: line('debug'), warn: line('warn'), error: line('debug') };
}
