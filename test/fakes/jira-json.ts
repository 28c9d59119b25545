import type { JiraComment, JiraIssue, JiraStatus, JiraStore, JiraUser } from './jira-store.ts';
import { PRIORITIES } from './jira-store.ts';

/** Jira's three fixed status categories, with their real ids and colours. */
const CATEGORIES = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
} as const;

const ISSUE_EXPAND = 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations';

/**
 * Applies Jira's `fields` parameter: comma-separated, repeatable; `*all` / `*navigable` (treated
 * alike here), named fields, and `-name` exclusions. Unknown names are ignored, as Jira does.
 * Returns undefined when only `id` was asked for, which the search endpoint answers with bare ids.
 */
function pickFields(all: Record<string, unknown>, spec: string[]): Record<string, unknown> | undefined {
  const tokens = spec.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const include = tokens.filter((t) => !t.startsWith('-') && t !== 'id');
  const exclude = new Set(tokens.filter((t) => t.startsWith('-')).map((t) => t.slice(1)));
  if (include.length === 0 && exclude.size === 0) return undefined;
  const everything = include.length === 0 || include.some((t) => t === '*all' || t === '*navigable');
  return Object.fromEntries(Object.entries(all).filter(([k]) => (everything || include.includes(k)) && !exclude.has(k)));
}

/** Renders store records in Jira Cloud REST v3 shapes, with `self` links on the fake's host. */
export function jiraJson(store: JiraStore, host: string) {
  const api = `${host}/rest/api/3`;

  const user = (u: JiraUser) => ({
    self: `${api}/user?accountId=${u.accountId}`,
    accountId: u.accountId,
    ...(u.emailAddress ? { emailAddress: u.emailAddress } : {}),
    avatarUrls: { '48x48': `${host}/avatar/${u.accountId}.png` },
    displayName: u.displayName,
    active: true,
    timeZone: 'Etc/UTC',
    accountType: 'atlassian',
  });

  const status = (s: JiraStatus) => {
    const category = CATEGORIES[s.category];
    return {
      self: `${api}/status/${s.id}`,
      description: '',
      iconUrl: `${host}/images/icons/statuses/generic.png`,
      name: s.name,
      id: s.id,
      statusCategory: { self: `${api}/statuscategory/${category.id}`, ...category },
    };
  };

  const comment = (issue: JiraIssue, c: JiraComment) => {
    const author = user(store.user(c.authorId));
    return {
      self: `${api}/issue/${issue.id}/comment/${c.id}`,
      id: c.id,
      author,
      body: c.body,
      updateAuthor: author,
      created: c.created,
      updated: c.updated,
      jsdPublic: true,
    };
  };

  const fields = (i: JiraIssue) => {
    const project = store.project(i.projectKey);
    const priorityId = String(PRIORITIES.indexOf(i.priority) + 1 || 3);
    const reporter = i.reporterId ? user(store.user(i.reporterId)) : null;
    return {
      summary: i.summary,
      description: i.description,
      issuetype: { self: `${api}/issuetype/10001`, id: '10001', name: i.issueType, subtask: false, hierarchyLevel: 0 },
      project: { self: `${api}/project/${project.id}`, id: project.id, key: project.key, name: project.name, projectTypeKey: 'software', simplified: true },
      status: status(store.status(project, i.status)),
      priority: { self: `${api}/priority/${priorityId}`, iconUrl: `${host}/images/icons/priorities/${i.priority.toLowerCase()}.svg`, name: i.priority, id: priorityId },
      labels: i.labels,
      reporter,
      creator: reporter,
      assignee: i.assigneeId ? user(store.user(i.assigneeId)) : null,
      comment: {
        comments: i.comments.map((c) => comment(i, c)),
        self: `${api}/issue/${i.id}/comment`,
        maxResults: i.comments.length,
        total: i.comments.length,
        startAt: 0,
      },
      created: i.created,
      updated: i.updated,
    };
  };

  return {
    comment,
    /** `defaultFields` differs per endpoint: GET issue returns all fields, /search/jql only ids. */
    issue(i: JiraIssue, spec: string[], defaultFields: '*all' | 'id') {
      const picked = pickFields(fields(i), spec.length ? spec : [defaultFields]);
      if (!picked) return { id: i.id };
      return { expand: ISSUE_EXPAND, id: i.id, self: `${api}/issue/${i.id}`, key: i.key, fields: picked };
    },
    transitions(i: JiraIssue) {
      const project = store.project(i.projectKey);
      return {
        expand: 'transitions',
        transitions: store.transitionsFor(i).map((t) => ({
          id: t.id,
          name: t.name,
          to: status(store.status(project, t.to)),
          hasScreen: false,
          isGlobal: !t.from,
          isInitial: false,
          isAvailable: true,
          isConditional: false,
          isLooped: false,
        })),
      };
    },
  };
}
