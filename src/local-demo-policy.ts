import { join } from 'node:path';
import { policySchema, type Policy } from './policy.ts';

/**
 * Who and what local mode's demo is made of: two emulated people (one asks, one approves), the
 * channel, the team with its local tracker, and a repository on disk under the data directory.
 * src/local/ seeds the emulator, the ticket and the repository from the same values.
 */
export const LOCAL_DEMO = {
  team: { id: 'T0LOCAL', name: 'Local' },
  bot: { userId: 'U0BATONBOT', botId: 'B0BATONBOT', name: 'baton' },
  requester: { id: 'U0LOCALREQ', name: 'riley', real_name: 'Riley (requester)' },
  approver: { id: 'U0LOCALAPP', name: 'avery', real_name: 'Avery (approver)' },
  channel: { id: 'C0LOCALDEV', name: 'baton-demo' },
  prefix: 'DEMO',
  repo: 'local/demo-calc',
} as const;

/** Where the demo repository lives under DATA_DIR. */
export function localDemoRepoPath(dataDir: string): string {
  return join(dataDir, 'local', 'demo-calc');
}

/**
 * baton.yml as local mode runs it when it names no team: the demo team and repository added, and
 * both people put on both gates unless baton.yml names approvers itself. Everything else in
 * baton.yml (models, limits, sandbox…) stays as written.
 */
export function localDemoPolicy(policy: Policy, dataDir: string): Policy {
  // Riley may approve too, so the demo shows the rule that matters: nobody approves their own run.
  const approvers = [LOCAL_DEMO.approver.id, LOCAL_DEMO.requester.id];
  return policySchema.parse({
    ...policy,
    teams: { [LOCAL_DEMO.prefix]: { tracker: 'local', channel: LOCAL_DEMO.channel.id, repo: LOCAL_DEMO.repo } },
    repos: {
      ...policy.repos,
      [LOCAL_DEMO.repo]: { path: localDemoRepoPath(dataDir), base: 'main', test: 'node --test', merge_method: 'squash' },
    },
    gates: {
      ...policy.gates,
      merge: { ...policy.gates.merge, approvers: policy.gates.merge.approvers.length ? policy.gates.merge.approvers : approvers },
      production: { ...policy.gates.production, approvers: policy.gates.production.approvers.length ? policy.gates.production.approvers : approvers },
    },
  });
}
