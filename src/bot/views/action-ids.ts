import { GATES, type Gate, type GateButtonValue } from '../../domain/gate.ts';

/**
 * Every `action_id` Baton's buttons carry, shared by the views that draw them and the listeners
 * that handle them. A button's value names its run (and, for a gate, the gate and the commit the
 * card showed) and nothing else: who may act, and on what, is decided on the server from the run.
 */
export const ACTIONS = {
  costContinue: 'baton.cost.continue',
  costStop: 'baton.cost.stop',
  gateApprove: 'baton.gate.approve',
  gateReject: 'baton.gate.reject',
  gateRetry: 'baton.gate.retry',
  /** On a failed run's notice, and while a run waits for a model: try the ticket again. */
  runRetry: 'baton.run.retry',
} as const;

export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];

/** The `callback_id` of each modal Baton opens, shared by the view and its submission listener. */
export const VIEWS = {
  rejectReason: 'baton.gate.reject_reason',
} as const;

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A short SHA (7) up to a SHA-256 object name (64).
const SHA = /^[0-9a-f]{7,64}$/i;
// Slack caps a button value at 2,000 characters and private_metadata at 3,000; what Baton writes
// is under 200, so anything longer is not ours and is refused before it is parsed.
const MAX_VALUE_CHARS = 2_000;

/** The value's JSON object, or why there is none. */
function parseObject(value: unknown, what: string): Parsed<Record<string, unknown>> {
  if (typeof value !== 'string' || value === '') return { ok: false, reason: `the ${what} carried no value` };
  if (value.length > MAX_VALUE_CHARS) return { ok: false, reason: `the ${what} value is too long` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { ok: false, reason: `the ${what} value is not JSON` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, reason: `the ${what} value is not an object` };
  return { ok: true, value: parsed as Record<string, unknown> };
}

function ownString(object: Record<string, unknown>, key: string): string | undefined {
  const value = Object.hasOwn(object, key) ? object[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export function runButtonValue(runId: string): string {
  return JSON.stringify({ runId });
}

/** Reads a button's value back; anything else (a forged or stale payload) is refused with a reason. */
export function parseRunButtonValue(value: unknown): Parsed<{ runId: string }> {
  const object = parseObject(value, 'button');
  if (!object.ok) return object;
  const runId = ownString(object.value, 'runId');
  if (runId === undefined || !UUID.test(runId)) return { ok: false, reason: 'the button value names no run' };
  return { ok: true, value: { runId } };
}

/** What an Approve / Reject / Retry button carries, and a reject modal's private_metadata. */
export function gateButtonValue(value: GateButtonValue): string {
  return JSON.stringify({ runId: value.runId, gate: value.gate, headSha: value.headSha });
}

function parseGate(value: unknown, what: string): Parsed<GateButtonValue> {
  const object = parseObject(value, what);
  if (!object.ok) return object;
  const keys = Object.keys(object.value);
  if (keys.length !== 3) return { ok: false, reason: `the ${what} value has other fields than runId, gate and headSha` };
  const runId = ownString(object.value, 'runId');
  if (runId === undefined || !UUID.test(runId)) return { ok: false, reason: `the ${what} value names no run` };
  const gate = ownString(object.value, 'gate');
  const known = GATES.find((g): g is Gate => g === gate);
  if (known === undefined) return { ok: false, reason: `the ${what} value names no gate` };
  const headSha = ownString(object.value, 'headSha');
  if (headSha === undefined || !SHA.test(headSha)) return { ok: false, reason: `the ${what} value names no commit` };
  return { ok: true, value: { runId, gate: known, headSha } };
}

/** Reads a gate button's value back; anything malformed (forged, stale, another app's) is refused with a reason. */
export function parseGateButtonValue(value: unknown): Parsed<GateButtonValue> {
  return parseGate(value, 'button');
}

/** The same for a reject modal's `private_metadata` (written by gateButtonValue). */
export function parseGateMetadata(value: unknown): Parsed<GateButtonValue> {
  return parseGate(value, 'form');
}
