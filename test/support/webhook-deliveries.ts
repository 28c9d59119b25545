import { createHash, createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fixture } from '../bot/webhooks/load-fixture.ts';
import { hmacHex } from '../bot/webhooks/sign.ts';

/*
 * Webhook deliveries "from Linear and Jira" for flow tests: a fixture shaped like the sender's
 * payload, changed to the ticket and change a test needs, serialized once to the exact bytes that
 * are signed and sent. Fixtures carry 2024 timestamps; Linear's webhookTimestamp is set to now
 * unless a test asks for another, because Baton refuses deliveries more than a minute off.
 */

type Json = Record<string, unknown>;

export type LinearFixture = 'linear-issue-create.json' | 'linear-issue-labelled.json' | 'linear-issue-started.json' | 'linear-comment-create.json';
export type JiraFixture = 'jira-issue-created.json' | 'jira-issue-labelled.json' | 'jira-issue-transitioned.json' | 'jira-comment-created.json';
export type LinearStateType = 'triage' | 'backlog' | 'unstarted' | 'started' | 'completed' | 'canceled';
export type JiraStatusCategory = 'new' | 'indeterminate' | 'done';

/** A delivery ready to POST: its path, headers and the exact bytes they sign. */
export interface WebhookDelivery {
  path: '/webhooks/linear' | '/webhooks/jira' | '/webhooks/github';
  deliveryId: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface WebhookAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: Json | undefined;
}

export interface SignOptions {
  /** Signs with this secret; `null` sends no signature header at all. */
  secret: string | null;
  /** The sender's delivery id header; default a fresh UUID. Reuse one to model a redelivery. */
  deliveryId?: string;
}

/** Stable ids for names, like the UUIDs Linear gives labels and workflow states. */
function idFor(kind: string, name: string): string {
  const hex = createHash('sha256').update(`${kind}:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const linearLabelId = (name: string): string => idFor('label', name);
export const linearStateId = (name: string): string => idFor('state', name);

const STATE_COLORS: Record<LinearStateType, string> = {
  triage: '#FC7840', backlog: '#bec2c8', unstarted: '#e2e2e2', started: '#f2c94c', completed: '#5e6ad2', canceled: '#95a2b3',
};

/** What a Linear Issue delivery says happened; fields left out keep the fixture's values. */
export interface LinearChange {
  /** ENG-501: sets the identifier, number, team key and url. */
  key: string;
  /** The issue's label names after the change. */
  labels?: string[];
  /** Update only: the label names before, sent as `updatedFrom.labelIds`. */
  labelsBefore?: string[];
  /** The issue's workflow state after the change. */
  state?: { name: string; type: LinearStateType };
  /** Update only: the state name before, sent as `updatedFrom.stateId`. */
  stateBefore?: string;
  /** Update only: the description before, sent as `updatedFrom.description`. */
  descriptionBefore?: string;
  /** Update only: the title before, sent as `updatedFrom.title`. */
  titleBefore?: string;
  description?: string;
  /** Milliseconds since the epoch; default now. */
  webhookTimestamp?: number;
}

/**
 * A Linear delivery built from an Issue or Comment fixture. For updates, `updatedFrom` holds only
 * the previous values the change names (plus updatedAt, which Linear always sends), so a test says
 * exactly which fields moved.
 */
export function linearDelivery(name: LinearFixture, change: LinearChange, sign: SignOptions): WebhookDelivery {
  const payload = fixture(name);
  const [team = '', numberText = '0'] = change.key.split('-');
  const url = `https://linear.app/acme/issue/${change.key}/webhook-test`;
  payload.webhookTimestamp = change.webhookTimestamp ?? Date.now();
  payload.webhookId = randomUUID();
  payload.url = url;
  const data = payload.data as Json;
  if (payload.type === 'Comment') {
    Object.assign(data.issue as Json, { identifier: change.key, url });
    Object.assign((data.issue as Json).team as Json, { key: team });
  } else {
    Object.assign(data, { identifier: change.key, number: Number(numberText), url });
    Object.assign(data.team as Json, { key: team });
    if (change.labels) {
      data.labels = change.labels.map((label) => ({ id: linearLabelId(label), color: '#26b5ce', name: label, parentId: null }));
      data.labelIds = change.labels.map(linearLabelId);
    }
    if (change.state) {
      const id = linearStateId(change.state.name);
      data.state = { id, color: STATE_COLORS[change.state.type], name: change.state.name, type: change.state.type };
      data.stateId = id;
    }
    if (change.description !== undefined) data.description = change.description;
    if (payload.action === 'update') {
      const updatedFrom: Json = { updatedAt: data.createdAt };
      if (change.labelsBefore) updatedFrom.labelIds = change.labelsBefore.map(linearLabelId);
      if (change.stateBefore !== undefined) updatedFrom.stateId = linearStateId(change.stateBefore);
      if (change.descriptionBefore !== undefined) updatedFrom.description = change.descriptionBefore;
      if (change.titleBefore !== undefined) updatedFrom.title = change.titleBefore;
      payload.updatedFrom = updatedFrom;
    }
  }
  const body = Buffer.from(JSON.stringify(payload));
  const deliveryId = sign.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Linear-Webhook',
    'linear-delivery': deliveryId,
    'linear-event': String(payload.type),
  };
  if (sign.secret !== null) headers['linear-signature'] = hmacHex(sign.secret, body);
  return { path: '/webhooks/linear', deliveryId, headers, body };
}

/** What a Jira issue delivery says happened; fields left out keep the fixture's values. */
export interface JiraChange {
  /** OPS-501: sets the issue key and the project key. */
  key: string;
  /** The issue's labels after the change. */
  labels?: string[];
  /** Update only: the labels before, sent as a changelog `labels` item. */
  labelsBefore?: string[];
  /** The issue's status after the change. */
  status?: { name: string; category: JiraStatusCategory };
  /** Update only: the status name before, sent as a changelog `status` item. */
  statusBefore?: string;
  /** Update only: the description before, sent as a changelog `description` item. */
  descriptionBefore?: string;
  /** Pads the description (to build a body over the size limit). */
  description?: string;
}

const JIRA_CATEGORY_NAMES: Record<JiraStatusCategory, string> = { new: 'To Do', indeterminate: 'In Progress', done: 'Done' };

/**
 * A Jira delivery built from an issue or comment fixture. For jira:issue_updated the changelog
 * holds only the items the change names, so a test says exactly which fields moved.
 */
export function jiraDelivery(name: JiraFixture, change: JiraChange, sign: SignOptions): WebhookDelivery {
  const payload = fixture(name);
  const [project = ''] = change.key.split('-');
  payload.timestamp = Date.now();
  const issue = payload.issue as Json;
  const fields = issue.fields as Json;
  issue.key = change.key;
  Object.assign(fields.project as Json, { key: project });
  if (payload.webhookEvent === 'jira:issue_created' || payload.webhookEvent === 'jira:issue_updated') {
    const previousLabels = (fields.labels as string[] | undefined) ?? [];
    const previousStatus = (fields.status as Json).name as string;
    if (change.labels) fields.labels = change.labels;
    if (change.status) {
      const { name: statusName, category } = change.status;
      Object.assign(fields.status as Json, { name: statusName, id: idFor('jira-status', statusName) });
      Object.assign((fields.status as Json).statusCategory as Json, { key: category, name: JIRA_CATEGORY_NAMES[category] });
    }
    if (change.description !== undefined) fields.description = change.description;
    if (payload.webhookEvent === 'jira:issue_updated') {
      const items: Json[] = [];
      if (change.labelsBefore) {
        const after = (change.labels ?? previousLabels).join(' ');
        items.push({ field: 'labels', fieldtype: 'jira', fieldId: 'labels', from: null, fromString: change.labelsBefore.join(' '), to: null, toString: after });
      }
      if (change.statusBefore !== undefined) {
        const to = change.status?.name ?? previousStatus;
        items.push({
          field: 'status', fieldtype: 'jira', fieldId: 'status',
          from: idFor('jira-status', change.statusBefore), fromString: change.statusBefore, to: idFor('jira-status', to), toString: to,
        });
      }
      if (change.descriptionBefore !== undefined) {
        items.push({ field: 'description', fieldtype: 'jira', fieldId: 'description', from: null, fromString: change.descriptionBefore, to: null, toString: fields.description });
      }
      payload.changelog = { id: String(Math.floor(Math.random() * 1e6)), items };
    }
  }
  const body = Buffer.from(JSON.stringify(payload));
  const deliveryId = sign.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Atlassian Webhook HTTP Client',
    'x-atlassian-webhook-identifier': deliveryId,
  };
  if (sign.secret !== null) headers['x-hub-signature'] = `sha256=${hmacHex(sign.secret, body)}`;
  return { path: '/webhooks/jira', deliveryId, headers, body };
}

/** What a GitHub `pull_request` `synchronize` delivery says: who pushed which commit onto which PR. */
export interface GitHubPushChange {
  /** 'owner/name' */
  repo: string;
  number: number;
  branch: string;
  /** The PR's head before and after the push (FakeGitHub.pushToPull returns both). */
  before: string;
  after: string;
  /** Who pushed; default grace-h, a person. */
  pusher?: string;
  pusherIsBot?: boolean;
  title?: string;
}

/**
 * A signed `pull_request` `synchronize` delivery, as GitHub sends one when commits are pushed to a
 * PR's head branch: built from a recorded payload, pointed at the change's repository, PR and SHAs.
 * Signed like GitHub: `X-Hub-Signature-256` (and the older SHA-1 `X-Hub-Signature`) over the bytes.
 */
export function githubPullPushedDelivery(change: GitHubPushChange, sign: SignOptions): WebhookDelivery {
  const payload = JSON.parse(readFileSync(new URL('./fixtures/github-pull-request-synchronize.json', import.meta.url), 'utf8')) as Json;
  const [owner = '', name = ''] = change.repo.split('/');
  const web = `https://github.com/${change.repo}`;
  const api = `https://api.github.com/repos/${change.repo}`;
  const repository = payload.repository as Json;
  Object.assign(repository, { name, full_name: change.repo, html_url: web, url: api, clone_url: `${web}.git` });
  Object.assign(repository.owner as Json, { login: owner });
  Object.assign(payload.organization as Json, { login: owner });
  const pr = payload.pull_request as Json;
  Object.assign(pr, {
    number: change.number, html_url: `${web}/pull/${change.number}`, url: `${api}/pulls/${change.number}`,
    issue_url: `${api}/issues/${change.number}`, diff_url: `${web}/pull/${change.number}.diff`, patch_url: `${web}/pull/${change.number}.patch`,
    ...(change.title !== undefined ? { title: change.title } : {}),
  });
  const head = pr.head as Json;
  const base = pr.base as Json;
  Object.assign(head, { ref: change.branch, label: `${owner}:${change.branch}`, sha: change.after, repo: repository });
  Object.assign(head.user as Json, { login: owner });
  Object.assign(base, { label: `${owner}:${base.ref as string}`, repo: repository });
  Object.assign(base.user as Json, { login: owner });
  Object.assign(payload, { number: change.number, before: change.before, after: change.after });
  if (change.pusher !== undefined || change.pusherIsBot !== undefined) {
    const login = change.pusher ?? (payload.sender as Json).login;
    Object.assign(payload.sender as Json, { login, type: change.pusherIsBot ? 'Bot' : 'User', html_url: `https://github.com/${String(login)}` });
  }
  const body = Buffer.from(JSON.stringify(payload));
  const deliveryId = sign.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/7c1a2b3',
    'x-github-event': 'pull_request',
    'x-github-delivery': deliveryId,
    'x-github-hook-id': '482910374',
    'x-github-hook-installation-target-type': 'repository',
    'x-github-hook-installation-target-id': String(repository.id),
  };
  if (sign.secret !== null) {
    headers['x-hub-signature'] = `sha1=${createHmac('sha1', sign.secret).update(body).digest('hex')}`;
    headers['x-hub-signature-256'] = `sha256=${hmacHex(sign.secret, body)}`;
  }
  return { path: '/webhooks/github', deliveryId, headers, body };
}

/** The same delivery with other bytes, headers untouched (to model tampering in transit). */
export function withBody(delivery: WebhookDelivery, body: Buffer): WebhookDelivery {
  return { ...delivery, body };
}

/** POSTs a delivery to a running Baton and reads the answer. */
export async function sendDelivery(
  baseUrl: string,
  delivery: WebhookDelivery,
  init: { method?: string; signal?: AbortSignal; stream?: boolean } = {},
): Promise<WebhookAnswer> {
  const method = init.method ?? 'POST';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  // A stream has no Content-Length, so the server must count the bytes as they arrive.
  const body = !hasBody ? undefined : init.stream ? streamOf(delivery.body) : delivery.body;
  const response = await fetch(new URL(delivery.path, baseUrl), {
    method,
    headers: delivery.headers,
    body,
    signal: init.signal,
    ...(init.stream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

function streamOf(bytes: Buffer): ReadableStream<Uint8Array> {
  const chunkSize = 4096;
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + chunkSize)));
      offset += chunkSize;
    },
  });
}

function parseJson(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Json) : undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}
