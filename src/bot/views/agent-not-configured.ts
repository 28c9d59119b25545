const HOW_TO = [
  'Set ANTHROPIC_API_KEY (console.anthropic.com → API Keys) in the environment or .env and restart Baton,',
  'or set ANTHROPIC_BASE_URL to a gateway or local server that speaks the Messages API and holds the key itself.',
];

/** Logged at start-up when no model can be reached: what to set. */
export function agentNotConfiguredNotice(missing: string[]): string {
  return [
    `The coder agent is not configured: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set.`,
    'Baton runs, reads tickets and opens threads, but every run stops before the agent with this reason.',
    ...HOW_TO,
  ].join('\n');
}

/**
 * Why a run cannot start its agent when the sandbox does not work on this host and baton.yml says
 * to refuse (sandbox.when_unavailable: refuse), as plain text: a run's failure reason (views escape
 * it where they show it). `reason` is what the start-up check saw.
 */
export function sandboxUnavailableReason(reason: string): string {
  return `the sandbox (bubblewrap) does not work on this host: ${reason}. Baton runs the agent's commands and the tests only under a sandbox; ` +
    'an admin can install bubblewrap (Debian: apt-get install bubblewrap) and allow unprivileged user namespaces, ' +
    'or accept the risk with sandbox.when_unavailable: run_unsandboxed in baton.yml';
}
