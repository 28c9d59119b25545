/** Without a team no ticket key resolves, so nothing starts a run: say what to add. */
export function noTeamsNotice(policyFile: string): string {
  return [
    `No teams are configured (${policyFile}), so Baton starts no runs: /agent fix refuses every ticket key, and webhooks and polling start nothing.`,
    'Add a team per ticket key prefix to baton.yml, e.g.:',
    '  teams:',
    '    ENG: { tracker: linear, channel: C0123456789 }',
    'A linear team needs LINEAR_API_KEY, a jira team JIRA_HOST, JIRA_EMAIL and JIRA_API_TOKEN; baton.example.yml shows every setting.',
  ].join('\n');
}

