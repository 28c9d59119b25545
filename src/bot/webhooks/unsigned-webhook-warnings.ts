import type { Config } from '../../config.ts';

/** What the warnings read: the secrets from the environment and the opt-out from baton.yml. */
export type UnsignedWebhookConfig = Pick<Config, 'webhookSecrets'> & {
  policy: { webhooks: { allow_unsigned: readonly string[] } };
};

/**
 * The start-up warning lines for every webhook source that runs without a secret: one that refuses
 * every delivery (nothing from it will start a run, which is easy to miss while setting up), and
 * Jira accepting anonymous deliveries because baton.yml allows it (anyone who finds the URL can
 * then start runs). A configured secret always wins, so an opt-out beside one is a line too: it
 * does nothing, and whoever wrote it may believe otherwise. Pure, so main.ts just logs each line.
 */
export function unsignedWebhookWarnings(config: UnsignedWebhookConfig): string[] {
  const { webhookSecrets: secrets } = config;
  const jiraUnsigned = config.policy.webhooks.allow_unsigned.includes('jira');
  const lines: string[] = [];
  if (!secrets.linear.some(Boolean)) {
    lines.push(
      '/webhooks/linear refuses every delivery: LINEAR_WEBHOOK_SECRET is not set. ' +
        'Set it to the signing secret Linear shows for the webhook (Settings → API → Webhooks).',
    );
  }
  if (!secrets.jira.some(Boolean)) {
    lines.push(
      jiraUnsigned
        ? '/webhooks/jira accepts unsigned deliveries (webhooks.allow_unsigned lists jira, and JIRA_WEBHOOK_SECRET is not set): ' +
            'anyone who can reach the URL can start runs. Give the Jira webhook a secret and set JIRA_WEBHOOK_SECRET to it.'
        : '/webhooks/jira refuses every delivery: JIRA_WEBHOOK_SECRET is not set. Give the Jira webhook a secret ' +
            '(Jira settings → System → WebHooks → Secret) and set JIRA_WEBHOOK_SECRET to it, or list jira under ' +
            'webhooks.allow_unsigned in baton.yml to accept unsigned deliveries.',
    );
  } else if (jiraUnsigned) {
    lines.push('webhooks.allow_unsigned lists jira, but JIRA_WEBHOOK_SECRET is set, so Jira deliveries must still be signed; remove jira from the list.');
  }
  if (!secrets.github.some(Boolean)) {
    lines.push(
      "/webhooks/github refuses every delivery: GITHUB_WEBHOOK_SECRET is not set. Give the GitHub App's webhook a secret and set GITHUB_WEBHOOK_SECRET to it.",
    );
  }
  return lines;
}
