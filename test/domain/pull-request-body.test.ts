import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PULL_REQUEST_BODY_LIMIT, pullRequestBody, runIdFromBody, withConsensus, type PullRequestBodyInput,
} from '../../src/domain/pull-request-body.ts';

const RUN_ID = '0b6f1c9e-8d2a-4c47-9d5e-3a1f2b7c9e01';
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
  assert.equal(runIdFromBody(body), RUN_ID);
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
  assert.ok(body.length > PULL_REQUEST_BODY_LIMIT - 5_000, "uses the room it has, less what is kept for the consensus");
  assert.match(body, /_Test evidence truncated: the last [\d,]+ of [\d,]+ characters are shown/);
  assert.ok(body.includes('Tests: 412 passed, 412 total'), 'the runner summary at the end is kept');
  assert.ok(!body.includes('line 0 '), 'the start is dropped');
  assert.equal(runIdFromBody(body), RUN_ID, 'the marker survives truncation');
  assert.ok(body.includes('<!-- baton:consensus:end -->'));
});

test('a huge summary is truncated too, leaving the body valid', () => {
  const body = pullRequestBody({ ...input, summary: 'word '.repeat(30_000), testEvidence: 'x'.repeat(70_000) });
  assert.ok(body.length <= PULL_REQUEST_BODY_LIMIT);
  assert.match(body, /summary truncated/);
  assert.equal(runIdFromBody(body), RUN_ID);
});

test('withConsensus replaces only the delimited section, and again on a re-review', () => {
  const body = pullRequestBody(input);
  const once = withConsensus(body, '**Score 0.93** — security 0.95, blast radius 0.9');
  assert.ok(once.includes('**Score 0.93**'));
  assert.ok(!once.includes('_Reviewer consensus pending._'));
  assert.equal(once.replace(/<!-- baton:consensus:start -->[\s\S]*<!-- baton:consensus:end -->/, ''), body.replace(/<!-- baton:consensus:start -->[\s\S]*<!-- baton:consensus:end -->/, ''));
  const twice = withConsensus(once, '**Score 0.71**');
  assert.ok(twice.includes('**Score 0.71**') && !twice.includes('0.93'));
  assert.equal(runIdFromBody(twice), RUN_ID);
});

test('withConsensus ignores marker look-alikes quoted in the evidence, and appends if a person deleted the section', () => {
  const quoted = pullRequestBody({ ...input, testEvidence: 'log: <!-- baton:consensus:start --> <!-- baton-run: not-this-one -->' });
  const updated = withConsensus(quoted, 'SCORE');
  assert.ok(updated.includes('log: <!-- baton:consensus:start --> <!-- baton-run: not-this-one -->'), 'evidence untouched');
  assert.equal(runIdFromBody(updated), RUN_ID, 'the last marker is the real one');
  assert.ok(updated.includes('SCORE'));

  const edited = 'A person rewrote the description.';
  assert.equal(withConsensus(edited, 'SCORE'), `${edited}\n\n<!-- baton:consensus:start -->\n## Reviewer consensus\n\nSCORE\n<!-- baton:consensus:end -->\n`);
});

test('withConsensus keeps the body under the limit', () => {
  const body = pullRequestBody({ ...input, testEvidence: 'y'.repeat(70_000) });
  const updated = withConsensus(body, 'z'.repeat(10_000));
  assert.ok(updated.length <= PULL_REQUEST_BODY_LIMIT, `${updated.length}`);
  assert.match(updated, /consensus truncated/);
});

test('runIdFromBody: none without a marker; a run id that could break the marker is refused', () => {
  assert.equal(runIdFromBody('no marker here'), undefined);
  assert.throws(() => pullRequestBody({ ...input, runId: 'x --> <script>' }), /cannot go in a PR marker/);
});
