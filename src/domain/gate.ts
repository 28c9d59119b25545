/** The two human gates: the merge of the PR, and the production deploy after it. */
export const GATES = ['merge', 'production'] as const;
export type Gate = (typeof GATES)[number];

/** What an Approve / Reject / Retry button carries. Nothing in it is trusted without a check on the server. */
export interface GateButtonValue {
  runId: string;
  gate: Gate;
  headSha: string;
}

/** Why a click was refused, as a code (tests, audit) and a sentence (the ephemeral reply). */
export type ClickRefusal =
  | 'not_approver'
  | 'self_approval'
  | 'stale_head'
  | 'not_waiting'
  | 'expired'
  | 'no_approvers';
