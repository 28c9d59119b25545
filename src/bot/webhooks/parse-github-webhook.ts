import { z } from 'zod';
import { type ParsedGitHubEvent, type ReviewState } from '../../domain/github-event.ts';

/*
 * GitHub names the event in the X-GitHub-Event header, not the body; the body's `action` says what
 * happened (`pull_request` + `closed`). Every repository event carries `repository` and `sender`.
 * Only the fields read here are required, so GitHub adding fields never breaks intake.
 */
const user = z.object({ login: z.string().min(1), type: z.string().nullish() });
const repository = z.object({ full_name: z.string().min(1), html_url: z.string() });
const pullRequest = z.object({
  number: z.number().int(),
  html_url: z.string(),
  title: z.string(),
  head: z.object({ ref: z.string(), sha: z.string().min(1) }),
});
const pullNumbers = z.array(z.object({ number: z.number().int() }));
const conclusion = z.string().nullable();

const pullRequestClosed = z.object({
  pull_request: pullRequest.extend({ merged: z.boolean(), merged_by: user.nullish() }),
  repository,
  sender: user,
});

// `before` and `after` are top-level on a synchronize; `after` is also the PR's new head.sha.
const pullRequestSynchronize = z.object({
  before: z.string().min(1),
  pull_request: pullRequest,
  repository,
  sender: user,
});

const checkSuiteCompleted = z.object({
  check_suite: z.object({
    head_branch: z.string().nullable(),
    head_sha: z.string().min(1),
    conclusion,
    pull_requests: pullNumbers,
    app: z.object({ name: z.string() }),
  }),
  repository,
});

const checkRunCompleted = z.object({
  check_run: z.object({
    name: z.string(),
    head_sha: z.string().min(1),
    conclusion,
    html_url: z.string().nullish(),
    details_url: z.string().nullish(),
    pull_requests: pullNumbers,
    check_suite: z.object({ head_branch: z.string().nullable() }),
  }),
  repository,
});

const reviewSubmitted = z.object({
  review: z.object({ user, body: z.string().nullable(), state: z.string(), html_url: z.string() }),
  pull_request: pullRequest,
  repository,
});

const issueCommentCreated = z.object({
  // `issue.pull_request` is present only when the issue is a PR (GitHub models PRs as issues).
  issue: z.object({ number: z.number().int(), pull_request: z.object({}).nullish() }),
  comment: z.object({ user, body: z.string(), html_url: z.string() }),
  repository,
});

const reviewCommentCreated = z.object({
  comment: z.object({ user, body: z.string(), html_url: z.string(), path: z.string(), line: z.number().int().nullish() }),
  pull_request: pullRequest,
  repository,
});

const ignored = (why: string): ParsedGitHubEvent => ({ ok: false, reason: `ignored: ${why}` });
const isBot = (u: z.infer<typeof user>): boolean => u.type === 'Bot';

/** A check suite has no web page of its own; the commit's checks tab lists it. Built from the repository's html_url, so GitHub Enterprise works too. */
const commitChecksUrl = (repoUrl: string, sha: string): string => `${repoUrl}/commit/${sha}/checks`;

const REVIEW_STATES: readonly string[] = ['approved', 'changes_requested', 'commented'] satisfies ReviewState[];

interface Handler {
  actions: readonly string[];
  parse: (body: unknown, what: string) => ParsedGitHubEvent;
}

function handler<S extends z.ZodType>(actions: readonly string[], schema: S, read: (payload: z.infer<S>) => ParsedGitHubEvent): Handler {
  return {
    actions,
    parse(body, what) {
      const parsed = schema.safeParse(body);
      if (parsed.success) return read(parsed.data);
      const first = parsed.error.issues[0];
      return { ok: false, reason: `${what} payload is not usable (${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'})` };
    },
  };
}

// One entry per event Baton subscribes to: per action that matters, how to read it. A Map, as the
// event name comes from a header: on a plain object `constructor` or `__proto__` would be found.
const EVENTS = new Map<string, Handler[]>(Object.entries({
  pull_request: [handler(['closed'], pullRequestClosed, ({ pull_request: pr, repository: repo, sender }) => ({
    ok: true,
    value: {
      kind: 'pull_request_closed',
      repo: repo.full_name,
      number: pr.number,
      url: pr.html_url,
      branch: pr.head.ref,
      headSha: pr.head.sha,
      merged: pr.merged,
      actor: (pr.merged ? pr.merged_by?.login : undefined) ?? sender.login,
      title: pr.title,
    },
  })),
  handler(['synchronize'], pullRequestSynchronize, ({ before, pull_request: pr, repository: repo, sender }) => ({
    ok: true,
    value: {
      kind: 'pull_request_pushed',
      repo: repo.full_name,
      number: pr.number,
      url: pr.html_url,
      branch: pr.head.ref,
      headSha: pr.head.sha,
      beforeSha: before,
      actor: sender.login,
      actorIsBot: isBot(sender),
    },
  }))],
  check_suite: [handler(['completed'], checkSuiteCompleted, ({ check_suite: suite, repository: repo }) => ({
    ok: true,
    value: {
      kind: 'checks_completed',
      scope: 'suite',
      repo: repo.full_name,
      headSha: suite.head_sha,
      headBranch: suite.head_branch,
      pullNumbers: suite.pull_requests.map((p) => p.number),
      name: suite.app.name,
      conclusion: suite.conclusion,
      url: commitChecksUrl(repo.html_url, suite.head_sha),
    },
  }))],
  check_run: [handler(['completed'], checkRunCompleted, ({ check_run: run, repository: repo }) => ({
    ok: true,
    value: {
      kind: 'checks_completed',
      scope: 'run',
      repo: repo.full_name,
      headSha: run.head_sha,
      headBranch: run.check_suite.head_branch,
      pullNumbers: run.pull_requests.map((p) => p.number),
      name: run.name,
      conclusion: run.conclusion,
      // html_url is GitHub's page for the run; details_url is whatever the check's app chose.
      url: run.html_url || run.details_url || commitChecksUrl(repo.html_url, run.head_sha),
    },
  }))],
  pull_request_review: [handler(['submitted'], reviewSubmitted, ({ review, pull_request: pr, repository: repo }) => {
    // Webhooks send lower case; the REST API sends APPROVED etc. Accept both.
    const state = review.state.toLowerCase();
    if (!REVIEW_STATES.includes(state)) return ignored(`GitHub pull_request_review with state ${review.state} needs no action`);
    return {
      ok: true,
      value: {
        kind: 'review',
        repo: repo.full_name,
        number: pr.number,
        url: review.html_url,
        branch: pr.head.ref,
        author: review.user.login,
        authorIsBot: isBot(review.user),
        state: state as ReviewState,
        body: review.body ?? '',
      },
    };
  })],
  issue_comment: [handler(['created'], issueCommentCreated, ({ issue, comment, repository: repo }) => {
    if (!issue.pull_request) return ignored('GitHub issue_comment on a plain issue (not a pull request) needs no action');
    return {
      ok: true,
      value: {
        kind: 'comment',
        repo: repo.full_name,
        number: issue.number,
        url: comment.html_url,
        author: comment.user.login,
        authorIsBot: isBot(comment.user),
        body: comment.body,
      },
    };
  })],
  pull_request_review_comment: [handler(['created'], reviewCommentCreated, ({ comment, pull_request: pr, repository: repo }) => ({
    ok: true,
    value: {
      kind: 'comment',
      repo: repo.full_name,
      number: pr.number,
      url: comment.html_url,
      branch: pr.head.ref,
      author: comment.user.login,
      authorIsBot: isBot(comment.user),
      body: comment.body,
      path: comment.path,
      // line is null on a comment whose lines a later push removed ("outdated").
      ...(comment.line != null ? { line: comment.line } : {}),
    },
  }))],
} satisfies Record<string, Handler[]>));

export function parseGitHubWebhook(eventName: string, body: unknown): ParsedGitHubEvent {
  if (!eventName) return { ok: false, reason: 'not a GitHub webhook delivery (no X-GitHub-Event header)' };
  const handlers = EVENTS.get(eventName);
  if (!handlers) return ignored(`GitHub ${eventName} events are not run updates`);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: `not a GitHub ${eventName} payload (not a JSON object)` };
  const action = (body as { action?: unknown }).action;
  if (typeof action !== 'string') return { ok: false, reason: `not a GitHub ${eventName} payload (action: expected a string)` };
  const matching = handlers.find((h) => h.actions.includes(action));
  if (!matching) return ignored(`GitHub ${eventName} ${action} events need no action`);
  return matching.parse(body, `GitHub ${eventName} ${action}`);
}
