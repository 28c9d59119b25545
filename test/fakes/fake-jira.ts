import { FakeServer, type FakeRequest, type FakeResponse, type Handler } from './fake-server.ts';
import { jiraJson } from './jira-json.ts';
import {
  adfText,
  isAdf,
  JiraStore,
  toAdf,
  type Adf,
  type IssueSeed,
  type JiraComment,
  type JiraIssue,
  type JiraProject,
  type JiraUser,
  type ProjectSeed,
} from './jira-store.ts';
import { JqlError, parseJql } from './parse-jql.ts';

export interface FakeJiraOptions {
  /** Basic-auth credentials the fake accepts; defaults `baton@example.com` / `jira_api_test`. */
  email?: string;
  apiToken?: string;
}

/** Jira's error envelope: `errorMessages` for request-level problems, `errors` keyed by field. */
export function jiraError(status: number, errorMessages: string[], errors: Record<string, string> = {}): FakeResponse {
  return { status, body: { errorMessages, errors } };
}

const ISSUE_NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';
const notFound = (): FakeResponse => jiraError(404, [ISSUE_NOT_FOUND]);

const fieldList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];

function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeToken(token: string): number | undefined {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  return match ? Number(match[1]) : undefined;
}

/**
 * Jira Cloud REST v3 for the real jira.js client:
 * `new Version3Client({ host: fake.url, authentication: { basic: { email, apiToken } } })`.
 *
 * Serves GET issue, add comment (ADF only), get/do transitions, enhanced JQL search
 * (GET/POST /rest/api/3/search/jql, token-paged, ids only unless `fields` is given) and the
 * deprecated offset-paged /rest/api/3/search that jira.js 5.4 still exposes. JQL subset: see parse-jql.ts.
 */
export class FakeJira extends FakeServer {
  readonly store: JiraStore;
  readonly email: string;
  readonly apiToken: string;

  constructor(options: FakeJiraOptions = {}) {
    super('jira');
    this.email = options.email ?? 'baton@example.com';
    this.apiToken = options.apiToken ?? 'jira_api_test';
    this.store = new JiraStore(this.email);
    const api = '/rest/api/3';
    this.route('GET', `${api}/issue/:issue`, this.authed((req) => this.serveIssue(req)));
    this.route('POST', `${api}/issue/:issue/comment`, this.authed((req) => this.serveAddComment(req)));
    this.route('GET', `${api}/issue/:issue/transitions`, this.authed((req) => this.serveTransitions(req)));
    this.route('POST', `${api}/issue/:issue/transitions`, this.authed((req) => this.serveDoTransition(req)));
    this.route('GET', `${api}/search/jql`, this.authed((req) => this.serveSearch(req, 'query')));
    this.route('POST', `${api}/search/jql`, this.authed((req) => this.serveSearch(req, 'body')));
    this.route('GET', `${api}/search`, this.authed((req) => this.serveLegacySearch(req, 'query')));
    this.route('POST', `${api}/search`, this.authed((req) => this.serveLegacySearch(req, 'body')));
  }

  /** The account the API token belongs to: author of comments added through the API. */
  get me(): JiraUser {
    return this.store.me;
  }

  addProject(seed: ProjectSeed): JiraProject {
    return this.store.addProject(seed);
  }

  addUser(seed: { displayName: string; accountId?: string; emailAddress?: string }): JiraUser {
    return this.store.addUser(seed);
  }

  addIssue(seed: IssueSeed): JiraIssue {
    return this.store.addIssue(seed);
  }

  addComment(issueKey: string, body: string | Adf, author?: string): JiraComment {
    return this.store.addComment(this.getIssue(issueKey), toAdf(body), author ? this.store.user(author) : undefined);
  }

  /** The live record of an issue, for asserting what the code under test changed. */
  getIssue(key: string): JiraIssue {
    const issue = this.store.issue(key);
    if (!issue) throw new Error(`FakeJira: no issue ${key}`);
    return issue;
  }

  /** Comment bodies of an issue as plain text, oldest first. */
  commentTexts(key: string): string[] {
    return this.getIssue(key).comments.map((c) => adfText(c.body));
  }

  private authed(handler: Handler): Handler {
    const expected = `Basic ${Buffer.from(`${this.email}:${this.apiToken}`).toString('base64')}`;
    return (req) => {
      if (req.headers.authorization === expected) return handler(req);
      // Jira Cloud answers a bad email/token pair with this plain-text body, not its JSON envelope.
      return {
        status: 401,
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        raw: 'Client must be authenticated to access this resource.',
      };
    };
  }

  private json(): ReturnType<typeof jiraJson> {
    return jiraJson(this.store, this.url);
  }

  private serveIssue(req: FakeRequest): FakeResponse {
    const issue = this.store.issue(req.params.issue!);
    if (!issue) return notFound();
    return { body: this.json().issue(issue, req.query.getAll('fields'), '*all') };
  }

  private serveAddComment(req: FakeRequest): FakeResponse {
    const issue = this.store.issue(req.params.issue!);
    if (!issue) return notFound();
    const body = (req.body as { body?: unknown } | undefined)?.body;
    if (!isAdf(body)) return jiraError(400, [], { comment: 'Comment body is not valid!' });
    const comment = this.store.addComment(issue, body);
    return { status: 201, body: this.json().comment(issue, comment) };
  }

  private serveTransitions(req: FakeRequest): FakeResponse {
    const issue = this.store.issue(req.params.issue!);
    if (!issue) return notFound();
    return { body: this.json().transitions(issue) };
  }

  private serveDoTransition(req: FakeRequest): FakeResponse {
    const issue = this.store.issue(req.params.issue!);
    if (!issue) return notFound();
    const id = String((req.body as { transition?: { id?: unknown } } | undefined)?.transition?.id ?? '');
    if (!this.store.transition(issue, id)) return jiraError(400, [`Transition id '${id}' is not valid for this issue.`]);
    return { status: 204 };
  }

  /** Runs JQL; a JqlError becomes Jira's 400 envelope. */
  private runJql(jql: string, requireBound: boolean): JiraIssue[] | FakeResponse {
    try {
      const query = parseJql(jql);
      if (requireBound && query.clauses.length === 0) {
        return jiraError(400, ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']);
      }
      return this.store.search(query);
    } catch (error) {
      if (error instanceof JqlError) return jiraError(400, [error.message]);
      throw error;
    }
  }

  private params(req: FakeRequest, from: 'query' | 'body'): Record<string, unknown> {
    if (from === 'body') return (req.body ?? {}) as Record<string, unknown>;
    return { ...Object.fromEntries(req.query), fields: req.query.getAll('fields') };
  }

  private serveSearch(req: FakeRequest, from: 'query' | 'body'): FakeResponse {
    const p = this.params(req, from);
    const found = this.runJql(String(p.jql ?? ''), true);
    if (!Array.isArray(found)) return found;
    const start = p.nextPageToken ? decodeToken(String(p.nextPageToken)) : 0;
    if (start === undefined) return jiraError(400, ['The provided next page token is invalid or expired.']);
    const max = Number(p.maxResults ?? 50);
    const page = found.slice(start, start + max).map((i) => this.json().issue(i, fieldList(p.fields), 'id'));
    const isLast = start + max >= found.length;
    // Jira omits nextPageToken on the last page rather than sending null.
    return { body: { issues: page, ...(isLast ? {} : { nextPageToken: encodeToken(start + max) }), isLast } };
  }

  private serveLegacySearch(req: FakeRequest, from: 'query' | 'body'): FakeResponse {
    const p = this.params(req, from);
    const found = this.runJql(String(p.jql ?? ''), false);
    if (!Array.isArray(found)) return found;
    const startAt = Number(p.startAt ?? 0);
    const maxResults = Number(p.maxResults ?? 50);
    const issues = found.slice(startAt, startAt + maxResults).map((i) => this.json().issue(i, fieldList(p.fields), '*all'));
    return { body: { expand: 'schema,names', startAt, maxResults, total: found.length, issues } };
  }
}
