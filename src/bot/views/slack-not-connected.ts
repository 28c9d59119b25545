/** Printed at start-up when Slack settings are missing: what to set, and where to get it. */
export function slackNotConnectedNotice(missing: string[]): string {
  return [
    `Slack is not connected: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set.`,
    'Baton is running without Slack (database, queue, /healthz and /readyz are up).',
    'To connect it: open https://api.slack.com/apps → Create New App → From a manifest, paste manifest.yml,',
    'install the app to your workspace, then set in .env:',
    '  SLACK_BOT_TOKEN       OAuth & Permissions → Bot User OAuth Token (xoxb-…)',
    '  SLACK_SIGNING_SECRET  Basic Information → App Credentials → Signing Secret',
    'Without a public URL, use Socket Mode: also set SLACK_APP_TOKEN (Basic Information → App-Level Tokens,',
    'scope connections:write, xapp-…). Otherwise point the manifest URLs at https://<your-host>/slack/events.',
  ].join('\n');
}
