import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONSENSUS_LIMIT, PULL_REQUEST_BODY_LIMIT, pullRequestBody, type PullRequestBodyInput,
} from '../../src/domain/pull-request-body.ts';

const RUN_ID = '0b6f1c9e-8d2a-4c47-9d5e-3a1f2b7c9e01';
// The run marker closes the body, after anything quoted from the summary or the evidence.
const endsWithMarker = (body: string): boolean => body.endsWith(`<!-- baton-run: ${RUN_ID} -->\n`);
const input: PullRequestBodyInput = {
  ticket: { key: 'ENG-123', url: 'https://linear.app/acme/issue/ENG-123/checkout-button', title: 'Checkout button does nothing' },
  summary: 'The click handler was never bound; bind it on mount.',
  testEvidence: 'PASS test/checkout.test.ts\n  ✓ pays on click (12 ms)\n\nTests: 1 passed, 1 total',
  runId: RUN_ID,
};

test('the body links the ticket with a magic word, then summary, fenced evidence, consensus placeholder and run marker', () => {
  const body = pullRequestBody(input);
  const lines = body.split('\n');
  // Linear wants the magic word directly before the key; the link is for people.
  assert.equal(lines[0], 'Fixes ENG-123 ([Checkout button does nothing](https://linear.app/acme/issue/ENG-123/checkout-button))');
  const order = ['## Summary', input.summary, '## Test evidence', '```text', 'Tests: 1 passed, 1 total', '<!-- baton:consensus:start -->', '_Reviewer consensus pending._', '<!-- baton:consensus:end -->', `<!-- baton-run: ${RUN_ID} -->`];
  const positions = order.map((part) => body.indexOf(part));
  assert.ok(positions.every((p) => p >= 0), `missing: ${order.filter((_, i) => positions[i] === -1).join(' | ')}`);
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b), 'sections out of order');
  assert.ok(endsWithMarker(body));
  assert.equal(pullRequestBody(input), body, 'pure: the same input gives the same body');
});

test('a ticket title and URL cannot break out of the markdown link', () => {
  const body = pullRequestBody({ ...input, ticket: { key: 'OPS-7', url: 'https://jira.example/browse/OPS-7?x=(1)', title: 'Fix [prod] crash\nnow' } });
  assert.equal(body.split('\n')[0], 'Fixes OPS-7 ([Fix \\[prod\\] crash now](https://jira.example/browse/OPS-7?x=%281%29))');
});

test('evidence containing ``` gets a longer fence, so it cannot close the block early', () => {
  const evidence = 'expected:\n```js\npay()\n```\nand ```` four';
  const body = pullRequestBody({ ...input, testEvidence: evidence });
  assert.ok(body.includes(`\`\`\`\`\`text\n${evidence}\n\`\`\`\`\``), body);
});

test('over-long evidence is cut from the front, says so, and the body stays within 65,536 characters', () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'.'.repeat(20)}`);
  const evidence = `${lines.join('\n')}\nTests: 412 passed, 412 total`;
  const body = pullRequestBody({ ...input, testEvidence: evidence });
  assert.ok(body.length <= PULL_REQUEST_BODY_LIMIT, `body is ${body.length} characters`);
  assert.ok(body.length > PULL_REQUEST_BODY_LIMIT - CONSENSUS_LIMIT - 1_000, 'uses the room it has, less what is kept for the consensus');
  assert.match(body, /_Test evidence truncated: the last [\d,]+ of [\d,]+ characters are shown/);
  assert.ok(body.includes('Tests: 412 passed, 412 total'), 'the runner summary at the end is kept');
  assert.ok(!body.includes('line 0 '), 'the start is dropped');
  assert.ok(endsWithMarker(body), 'the marker survives truncation');
  assert.ok(body.includes('<!-- baton:consensus:end -->'));
});

test('a huge summary is truncated too, leaving the body valid', () => {
  const body = pullRequestBody({ ...input, summary: 'word '.repeat(30_000), testEvidence: 'x'.repeat(70_000) });
  assert.ok(body.length <= PULL_REQUEST_BODY_LIMIT);
  assert.match(body, /summary truncated/);
  assert.ok(endsWithMarker(body));
});

test('a run id that could break the marker is refused', () => {
  assert.throws(() => pullRequestBody({ ...input, runId: 'x --> <script>' }), /cannot go in a PR marker/);
});
