import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GATES } from '../../../src/domain/gate.ts';
import { ACTIONS, gateButtonValue, parseGateButtonValue, parseGateMetadata, VIEWS } from '../../../src/bot/views/action-ids.ts';
import { check } from '../../fuzz/fuzz-options.ts';
import { hostileString, mutated, PROTOTYPE_NAMES } from '../../fuzz/hostile.ts';
import { HEAD } from './gate-view-fixtures.ts';

const RUN_ID = '6f1c2a7e-0000-4000-8000-000000000001';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

test('gate action ids and the reject modal callback id are distinct, and the cost-cap ones are unchanged', () => {
  assert.equal(ACTIONS.gateApprove, 'baton.gate.approve');
  assert.equal(ACTIONS.gateReject, 'baton.gate.reject');
  assert.equal(ACTIONS.gateRetry, 'baton.gate.retry');
  assert.equal(ACTIONS.costContinue, 'baton.cost.continue');
  assert.equal(ACTIONS.costStop, 'baton.cost.stop');
  assert.equal(new Set(Object.values(ACTIONS)).size, Object.values(ACTIONS).length);
  assert.equal(VIEWS.rejectReason, 'baton.gate.reject_reason');
});

test('a gate button value round-trips, for both gates, through the button and the modal parsers', () => {
  for (const gate of GATES) {
    for (const headSha of [HEAD, HEAD.slice(0, 7), 'a'.repeat(64)]) {
      const value = { runId: RUN_ID, gate, headSha };
      const written = gateButtonValue(value);
      assert.deepEqual(JSON.parse(written), value);
      assert.deepEqual(parseGateButtonValue(written), { ok: true, value });
      assert.deepEqual(parseGateMetadata(written), { ok: true, value });
    }
  }
});

test('malformed gate values are refused with a reason', () => {
  const good = { runId: RUN_ID, gate: 'merge', headSha: HEAD };
  const bad: [unknown, RegExp][] = [
    [undefined, /no value/],
    [42, /no value/],
    ['', /no value/],
    ['not json', /not JSON/],
    ['null', /not an object/],
    ['[1,2,3]', /not an object/],
    ['"x"', /not an object/],
    [JSON.stringify({ ...good, runId: 'not-a-uuid' }), /no run/],
    [JSON.stringify({ ...good, runId: 7 }), /no run/],
    [JSON.stringify({ ...good, gate: 'staging' }), /no gate/],
    [JSON.stringify({ ...good, gate: 'constructor' }), /no gate/],
    [JSON.stringify({ ...good, headSha: 'abc12' }), /no commit/],
    [JSON.stringify({ ...good, headSha: 'a'.repeat(65) }), /no commit/],
    [JSON.stringify({ ...good, headSha: 'abcdefg' }), /no commit/],
    [JSON.stringify({ ...good, headSha: `${HEAD}\n` }), /no commit/],
    [JSON.stringify({ runId: RUN_ID, gate: 'merge' }), /other fields|no commit/],
    [JSON.stringify({ ...good, extra: 1 }), /other fields/],
    ['{"__proto__":{"runId":"x"},"gate":"merge","headSha":"abcdef0"}', /no run/],
    [`{"runId":"${RUN_ID}","gate":"merge","headSha":"${'a'.repeat(3_000)}"}`, /too long/],
  ];
  for (const [value, reason] of bad) {
    for (const parse of [parseGateButtonValue, parseGateMetadata]) {
      const parsed = parse(value);
      assert.equal(parsed.ok, false, String(value));
      if (!parsed.ok) assert.match(parsed.reason, reason, String(value));
    }
  }
  const metadata = parseGateMetadata('nope');
  assert.ok(!metadata.ok && /the form value/.test(metadata.reason), 'the modal parser speaks of the form');
});

test('parseGateButtonValue: any value gives a uuid, a known gate and a hex SHA, or a refusal with a reason', () => {
  const value = fc.oneof(
    fc.record({ runId: fc.uuid(), gate: fc.constantFrom(...GATES), headSha: fc.stringMatching(/^[0-9a-f]{7,64}$/) }).map(gateButtonValue),
    mutated({ runId: RUN_ID, gate: 'production', headSha: HEAD }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.constantFrom(...PROTOTYPE_NAMES).map((k) => `{"${k}":{"runId":"x"},"runId":{},"gate":"${k}","headSha":"abcdef0"}`),
    hostileString,
    fc.anything(),
  );
  check(
    fc.property(value, (v) => {
      const parsed = parseGateButtonValue(v);
      if (parsed.ok) {
        assert.ok(UUID.test(parsed.value.runId));
        assert.ok((GATES as readonly string[]).includes(parsed.value.gate));
        assert.match(parsed.value.headSha, /^[0-9a-f]{7,64}$/i);
        assert.deepEqual(Object.keys(parsed.value).sort(), ['gate', 'headSha', 'runId']);
      } else {
        assert.ok(typeof parsed.reason === 'string' && parsed.reason.length > 0);
      }
    }),
    500,
  );
});
