import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { createFailingTest, editor, bash, finish, fixBug, lastToolResults, lastUserText } from '../agents/coder-fixture.ts';
import type { ScriptedEntry } from '../fakes/fake-anthropic.ts';
import { fixtureGit } from '../integrations/git/git-fixtures.ts';
import { eventually } from '../support/eventually.ts';
import { startAgentFlow, TICKET, type AgentFlow, type RunRow, PUBLISHED } from '../support/agent-flow.ts';

/*
 * Baton's outcome gates, end to end: a signed `/agent fix` whose scripted agent makes a change
 * Baton must not accept. Each change fixes the calc bug and adds a failing test, as a real fix
 * would, plus the one thing its gate is there to catch. With `gate_attempts: 0` the first failed
 * check ends the run: `failed`, with the gate's reason in the run and in its thread (mrkdwn-escaped),
 * nothing pushed to the remote and no PR. One Baton for the file; one ticket per gate, run in turn.
 * The last test has its own Baton with `gate_attempts: 1`: the failure goes back to the agent,
 * which repairs its change, and the run reaches its PR.
 */

const MAX_LINES = 40;
let flow: AgentFlow;

before(async () => {
  flow = await startAgentFlow({ policy: { agent: { limits: { gate_attempts: 0 } }, outcome_gates: { max_lines: MAX_LINES } } });
  for (const number of [43, 44, 45, 46]) {
    flow.linear.addIssue({ team: 'ENG', number, title: TICKET.title, description: TICKET.description, labels: ['bug'] });
  }
});
after(async () => {
  await flow?.stop();
});

/** Every text Slack would render from a message: its fallback text and each block's text fields. */
function renderedTexts(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const own = typeof (value as { text?: unknown }).text === 'string' ? [(value as { text: string }).text] : [];
  return [...own, ...Object.values(value).flatMap((v) => (typeof v === 'object' ? renderedTexts(v) : []))];
}

const escaped = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const GATE_LABELS = ['FAIL_TO_PASS', 'test suite', 'deleted test', 'weakened assertion', 'diff size', 'sensitive path', 'no change', 'no test'];

/**
 * Runs `/agent fix <key>` with `script`, waits for the run to fail, and checks what every gate
 * failure must show. Returns the failed run for the gate's own checks.
 */
async function failsAtGate(key: string, script: ScriptedEntry[], gate: { label: string; says: RegExp }): Promise<RunRow> {
  flow.anthropic.script(...script);
  const response = await flow.command(`fix ${key}`);
  assert.match((response.json as { text: string }).text, new RegExp(`Queued ${key}`));
  const run = await eventually(async () => {
    const { rows } = await flow.db.pool.query<RunRow>("SELECT * FROM runs WHERE ticket_key = $1 AND status IN ('failed', 'succeeded', 'cancelled', 'awaiting_approval')", [key]);
    return rows[0];
  }, 120_000, `${key}'s run to end`);
  assert.equal(flow.anthropic.remaining(), 0, 'the agent used every scripted turn');

  assert.equal(run.status, 'failed', `${key} ended ${run.status}: ${run.status_reason}`);
  const reason = run.status_reason!;
  assert.match(reason, /^Baton's checks still failed after the agent finished once\./);
  assert.ok(reason.includes(`${gate.label}: `), `the reason names the gate "${gate.label}": ${reason}`);
  assert.match(reason, gate.says);
  for (const other of GATE_LABELS.filter((l) => l !== gate.label)) {
    assert.ok(!reason.includes(`\n${other}: `), `only this gate failed, not "${other}": ${reason}`);
  }
  const failedAtGate = flow.app.logs.some((line) => line.includes(run.id) && line.includes('"code":"gate_failed"'));
  assert.ok(failedAtGate, 'the coder ended with code gate_failed');

  // The thread says why, as Slack would render it: the reason mrkdwn-escaped, in full.
  // The run ends first, and the thread is told after the commit: wait for it.
  const threadTexts = (): string[] => flow.slack.repliesTo(run.thread_ts).flatMap((m) => renderedTexts(m.blocks));
  await eventually(async () => threadTexts().some((text) => text.includes(escaped(reason))), 20_000, `the thread to show the reason, escaped:\n${escaped(reason)}`)
    .catch((error: Error) => assert.fail(`${error.message}\nThe thread shows:\n${threadTexts().join('\n---\n')}`));

  // Nothing left Baton: no branch on the remote, no PR.
  const branches = [...(await flow.demo.remote.refs()).keys()].filter((ref) => ref !== 'refs/heads/main' && ref.startsWith('refs/heads/'));
  assert.deepEqual(branches, [], 'nothing was pushed');
  assert.equal(flow.github.pulls('acme', 'calc').length, 0, 'no PR');
  assert.equal(run.pr_url, null);
  return run;
}

test('a change that weakens an existing assertion fails the run with the weakened-assertion gate', async () => {
  const weaken = editor({ command: 'str_replace', path: 'test/calc.test.js', old_str: 'assert.equal(add(2, 3), 5);', new_str: 'assert.ok(add(2, 3) > 0);' });
  const run = await failsAtGate('ENG-42', [createFailingTest, fixBug, weaken, finish('Fixed range; loosened an add check.')], {
    label: 'weakened assertion',
    says: /test\/calc\.test\.js:6 `assert\.equal\(add\(2, 3\), 5\);` became the weaker `assert\.ok\(add\(2, 3\) > 0\);`/,
  });
  // The reason holds a `>`, which Slack would take for markup unescaped.
  const thread = flow.slack.repliesTo(run.thread_ts).flatMap((m) => renderedTexts(m.blocks)).join('\n');
  assert.ok(thread.includes('add(2, 3) &gt; 0'));
  assert.ok(!thread.includes('add(2, 3) > 0'));
});

test('a change that deletes a test file fails the run with the deleted-test gate', async () => {
  await failsAtGate('ENG-43', [createFailingTest, fixBug, bash('rm test/calc.test.js'), finish('Fixed range; removed an old test file.')], {
    label: 'deleted test',
    says: /deletes or moves out of the test paths test\/calc\.test\.js/,
  });
});

test('a change that touches a CI workflow fails the run with the sensitive-path gate', async () => {
  const workflow = editor({ command: 'create', path: '.github/workflows/ci.yml', file_text: 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n' });
  await failsAtGate('ENG-44', [createFailingTest, fixBug, workflow, finish('Fixed range and added CI.')], {
    label: 'sensitive path',
    says: /touches sensitive paths \(\.github\/workflows\/ci\.yml\).*baton-sensitive-ok/,
  });
});

test('a change over outcome_gates.max_lines fails the run with the diff-size gate', async () => {
  const notes = Array.from({ length: MAX_LINES }, (_, i) => `- range note ${i + 1}`).join('\n');
  await failsAtGate('ENG-45', [createFailingTest, fixBug, editor({ command: 'create', path: 'docs/range.md', file_text: `${notes}\n` }), finish('Fixed range and documented it.')], {
    label: 'diff size',
    says: new RegExp(`touches 3 files and ${MAX_LINES + 13} lines .*over the limit of 20 files and ${MAX_LINES} lines`),
  });
});

test('a new test that already passes on the base commit fails the run with the FAIL_TO_PASS gate', async () => {
  const passingTest = editor({
    command: 'create',
    path: 'test/add.test.js',
    file_text: "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from '../src/calc.js';\n\ntest('add adds negatives', () => {\n  assert.equal(add(-1, -2), -3);\n});\n",
  });
  const run = await failsAtGate('ENG-46', [passingTest, fixBug, finish('Fixed range; add is covered.')], {
    label: 'FAIL_TO_PASS',
    says: /already pass on the base commit, so they do not reproduce the bug/,
  });
  assert.ok(!/test suite: /.test(run.status_reason!), 'the suite itself passed with the change');
});

test('a failed gate goes back to the agent with the failure; the agent repairs its change and the run reaches one PR', async (t) => {
  const own = await startAgentFlow({ policy: { agent: { limits: { gate_attempts: 1 } } } });
  t.after(() => own.stop());
  const ORIGINAL = 'assert.equal(add(2, 3), 5);';
  const WEAKER = 'assert.ok(add(2, 3) > 0);';
  const weaken = editor({ command: 'str_replace', path: 'test/calc.test.js', old_str: ORIGINAL, new_str: WEAKER });
  const restore = editor({ command: 'str_replace', path: 'test/calc.test.js', old_str: WEAKER, new_str: ORIGINAL });
  let afterFailure: Anthropic.MessageCreateParams | undefined;
  own.anthropic.script(createFailingTest, fixBug, weaken, finish('Fixed range; loosened an add check.'), (request) => {
    afterFailure = request;
    return restore;
  }, finish('range stopped one short of its end (`i < end`); it now includes it. test/range.test.js covers it.'));

  const response = await own.command(`fix ${TICKET.key}`);
  assert.match((response.json as { text: string }).text, /Queued ENG-42/);
  const run = await own.runWhere(`(status IN ('failed', 'succeeded', 'cancelled') OR ${PUBLISHED})`, 'the run to end or open its PR', 180_000);
  assert.equal(run.status, 'awaiting_approval', `the run ended ${run.status}: ${run.status_reason}`);
  assert.equal(own.anthropic.remaining(), 0, 'the agent used every scripted turn');

  // The request after the first finish carries Baton's failure: the finish call's result and the note after it.
  assert.ok(afterFailure, 'the model was asked again after its first finish');
  const told = [...lastToolResults(afterFailure), lastUserText(afterFailure)].join('\n');
  assert.match(told, /\[Baton: checks failed\]/);
  assert.ok(told.includes(`test/calc.test.js:6 \`${ORIGINAL}\` became the weaker \`${WEAKER}\``), `the failure names the weakened assertion:\n${told}`);
  assert.match(told, /This is your last attempt/);
  const rejected = own.app.logs.some((line) => line.includes('outcome gates failed') && line.includes('assertion_weakened'));
  assert.ok(rejected, 'Baton logged the weakened-assertion gate failing once');

  // Exactly one PR, from the pushed branch, whose head is the proven commit with the assertion intact.
  const refs = await own.demo.remote.refs();
  const branches = [...refs.keys()].filter((ref) => ref !== 'refs/heads/main' && ref.startsWith('refs/heads/'));
  assert.deepEqual(branches, [`refs/heads/${run.branch}`]);
  const pulls = own.github.pulls('acme', 'calc') as { head: { ref: string; sha: string }; html_url: string }[];
  assert.equal(pulls.length, 1, 'one PR');
  assert.equal(pulls[0]!.head.ref, run.branch);
  assert.equal(run.pr_url, pulls[0]!.html_url);
  const outcome = run.outcome!;
  assert.equal(refs.get(`refs/heads/${run.branch}`), outcome.headSha, 'the pushed head is the commit Baton proved');
  const git = fixtureGit(own.dir);
  const calcTest = await git(['show', `${outcome.headSha}:test/calc.test.js`], own.demo.remote.path);
  assert.ok(calcTest.includes(`  ${ORIGINAL}\n`), `the assertion is intact on the branch:\n${calcTest}`);
  assert.ok(!calcTest.includes(WEAKER));
  const calc = await git(['show', `${outcome.headSha}:src/calc.js`], own.demo.remote.path);
  assert.ok(calc.includes('i <= end'), 'the fix is on the branch');

  // Baton proved it: FAIL_TO_PASS (the new test fails on the base, passes with the change).
  assert.deepEqual(outcome.evidence.testFiles, ['test/range.test.js']);
  const byLabel = new Map(outcome.evidence.runs.map((r) => [r.label, r.exitCode]));
  assert.notEqual(byLabel.get('base_with_new_tests'), 0, 'the new test fails on the base commit');
  assert.equal(byLabel.get('change'), 0, 'the suite passes with the change');
});
