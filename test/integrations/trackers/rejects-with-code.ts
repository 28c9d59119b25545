import assert from 'node:assert/strict';
import { TrackerError, type TrackerErrorCode } from '../../../src/integrations/trackers/ticket-tracker.ts';

/** Asserts `promise` rejects with a TrackerError of `code`, and returns it for further checks. */
export async function rejectsWithCode(promise: Promise<unknown>, code: TrackerErrorCode): Promise<TrackerError> {
  const error = await promise.then(() => assert.fail(`expected TrackerError ${code}`), (e: unknown) => e);
  assert.ok(error instanceof TrackerError, `expected TrackerError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}
