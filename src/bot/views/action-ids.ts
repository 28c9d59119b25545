/**
 * Every `action_id` Baton's buttons carry, shared by the views that draw them and the listeners
 * that handle them. A button's value names its run and nothing else: who may act, and on what,
 * is decided on the server from the run itself.
 */
export const ACTIONS = {
  costContinue: 'baton.cost.continue',
  costStop: 'baton.cost.stop',
} as const;

export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function runButtonValue(runId: string): string {
  return JSON.stringify({ runId });
}

/** Reads a button's value back; anything else (a forged or stale payload) is refused with a reason. */
export function parseRunButtonValue(value: unknown): { ok: true; value: { runId: string } } | { ok: false; reason: string } {
  if (typeof value !== 'string') return { ok: false, reason: 'the button carried no value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { ok: false, reason: 'the button value is not JSON' };
  }
  const runId = (parsed as { runId?: unknown } | null)?.runId;
  if (typeof runId !== 'string' || !UUID.test(runId)) return { ok: false, reason: 'the button value names no run' };
  return { ok: true, value: { runId } };
}
