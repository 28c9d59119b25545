import type { ClickRefusal, Gate } from './gate.ts';
import type { RunSource } from './run.ts';
import type { GatesPolicy, RepoPolicy } from '../policy.ts';

/**
 * The gates that apply to one repository: its own `gates` laid over the top-level ones, field by
 * field. A list of approvers replaces the top-level list (never merges with it), so a repository can
 * narrow who approves its changes; an explicit empty list leaves its gate with nobody to approve.
 */
export function gatesForRepo(gates: GatesPolicy, repo: RepoPolicy | undefined): GatesPolicy {
  const own = repo?.gates;
  return {
    merge: {
      approvers: own?.merge?.approvers ?? gates.merge.approvers,
      expire_hours: own?.merge?.expire_hours ?? gates.merge.expire_hours,
      auto_approve: own?.merge?.auto_approve ?? gates.merge.auto_approve,
    },
    production: { approvers: own?.production?.approvers ?? gates.production.approvers },
  };
}

/** Who pressed a gate's button, and what the button carried. Slack's word on the user; the rest is checked. */
export interface GateClick {
  gate: Gate;
  clickerId: string;
  /** The user groups (S…) the server found the clicker in. */
  clickerGroupIds: readonly string[];
  buttonHeadSha: string;
}

/** What the server knows when the click arrives. */
export interface GateState {
  /** This gate's approvers for the run's repository (gatesForRepo): user ids (U…/W…) and user-group ids (S…). */
  approvers: readonly string[];
  requester: { source: RunSource; userId: string };
  runHeadSha: string | null;
  /** GitHub's view of the PR head, when known. */
  prHeadSha: string | null;
  /** The run waits at this gate. */
  waiting: boolean;
  expiresAt: Date | null;
  now: Date;
}

export type ClickCheck = { ok: true } | { ok: false; code: ClickRefusal; reason: string };

const GATE_NAMES: Record<Gate, string> = { merge: 'merge', production: 'production deploy' };

const short = (sha: string): string => sha.slice(0, 7);

function checkClick(click: GateClick, state: GateState, action: 'approve' | 'reject'): ClickCheck {
  const gate = GATE_NAMES[click.gate];
  if (state.approvers.length === 0) {
    return {
      ok: false,
      code: 'no_approvers',
      reason:
        `Nobody may approve or reject the ${gate} gate yet: set gates.${click.gate}.approvers in baton.yml ` +
        `(or repos.<owner/name>.gates.${click.gate}.approvers for this repository).`,
    };
  }
  const allowed = new Set(state.approvers);
  if (!allowed.has(click.clickerId) && !click.clickerGroupIds.some((g) => allowed.has(g))) {
    return { ok: false, code: 'not_approver', reason: `<@${click.clickerId}> is not an approver of the ${gate} gate for this run.` };
  }
  // Only a run asked for in Slack has a requester Baton can compare with the clicker; a tracker
  // user id is not a Slack one.
  if (action === 'approve' && state.requester.source === 'slack' && state.requester.userId === click.clickerId) {
    return { ok: false, code: 'self_approval', reason: `<@${click.clickerId}> requested this run and may not approve it; another approver must.` };
  }
  if (!state.waiting) return { ok: false, code: 'not_waiting', reason: `This run is no longer waiting at the ${gate} gate.` };
  const button = click.buttonHeadSha.toLowerCase();
  const head = state.runHeadSha?.toLowerCase() ?? null;
  const prHead = state.prHeadSha?.toLowerCase() ?? null;
  const current = prHead !== null && prHead !== button ? prHead : head;
  if (button === '' || current !== button) {
    const now = current === null ? 'the run has no head commit any more' : `the head is now ${short(current)}`;
    return { ok: false, code: 'stale_head', reason: `This button is for ${short(button) || 'no commit'}, but ${now}; only the newest card can be used.` };
  }
  if (state.expiresAt !== null && state.now.getTime() >= state.expiresAt.getTime()) {
    const at = `${state.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    return { ok: false, code: 'expired', reason: `This ${gate} approval request expired at ${at}.` };
  }
  return { ok: true };
}

/**
 * Whether an Approve click may count, checked on the server for every click, in a fixed order
 * (the first refusal is the one answered): approvers configured, the clicker among them, not the
 * run's requester, the run waiting here, the button's head still the head, not expired.
 */
export function checkGateClick(click: GateClick, state: GateState): ClickCheck {
  return checkClick(click, state, 'approve');
}

/** The same checks for Reject, except that the requester may reject their own run: withdrawing is safe. */
export function checkRejectClick(click: GateClick, state: GateState): ClickCheck {
  return checkClick(click, state, 'reject');
}
