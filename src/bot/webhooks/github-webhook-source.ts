import type { GitHubEvent } from '../../domain/github-event.ts';
import { singleHeader, type WebhookSource } from './create-webhook-handler.ts';
import { parseGitHubWebhook } from './parse-github-webhook.ts';
import { GITHUB_SIGNATURE_HEADER, verifyGitHubSignature } from './verify-github-signature.ts';

/** GitHub names each delivery in `X-GitHub-Delivery` (the same on a manual redelivery) and the event in `X-GitHub-Event`. */
export function githubWebhookSource(secrets: readonly string[]): WebhookSource<GitHubEvent> {
  return {
    name: 'github',
    verify: (rawBody, headers) => verifyGitHubSignature({ rawBody, signature: headers[GITHUB_SIGNATURE_HEADER], secrets }),
    deliveryId: (headers) => singleHeader(headers['x-github-delivery']),
    // The signature does not cover X-GitHub-Delivery and the body has no timestamp, so a captured
    // body resent under a new id would otherwise count as new; its digest stops that.
    dedupeOnBody: true,
    eventName: (headers) => singleHeader(headers['x-github-event']) ?? '',
    parse: (body, eventName) => parseGitHubWebhook(eventName, body),
  };
}
