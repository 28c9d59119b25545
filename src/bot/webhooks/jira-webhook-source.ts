import type { TicketEvent } from '../../domain/ticket-event.ts';
import { singleHeader, type WebhookSource } from './create-webhook-handler.ts';
import { parseJiraWebhook } from './parse-jira-webhook.ts';
import { JIRA_SIGNATURE_HEADER, verifyJiraSignature } from './verify-jira-signature.ts';

export interface JiraWebhookSourceOptions {
  /** baton.yml `webhooks.allow_unsigned` includes jira; it matters only while no secret is set. */
  allowUnsigned?: boolean;
  now?: () => number;
}

/**
 * Jira keeps `X-Atlassian-Webhook-Identifier` the same across its retries (on 408, 409, 425, 429
 * and 5xx, for up to about 30 minutes), which makes it the delivery id. The signature does not
 * cover that header, though, so the body's digest is recorded too (retries resend the same bytes):
 * a captured body resent under a new identifier is a duplicate, and once its `timestamp` is an hour
 * old verifyJiraSignature refuses it outright.
 */
export function jiraWebhookSource(secrets: readonly string[], options: JiraWebhookSourceOptions = {}): WebhookSource<TicketEvent> {
  const { allowUnsigned = false, now = Date.now } = options;
  return {
    name: 'jira',
    verify: (rawBody, headers) =>
      verifyJiraSignature({ rawBody, signature: headers[JIRA_SIGNATURE_HEADER], secrets, allowUnsigned, now: now() }),
    deliveryId: (headers) => singleHeader(headers['x-atlassian-webhook-identifier']),
    dedupeOnBody: true,
    eventName: (_headers, body) => String((body as { webhookEvent?: unknown } | null)?.webhookEvent),
    parse: (body) => parseJiraWebhook(body),
  };
}
