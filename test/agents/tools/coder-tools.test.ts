import { test } from 'node:test';
import assert from 'node:assert/strict';
import { askClarificationTool } from '../../../src/agents/tools/ask-clarification-tool.ts';
import { coderTools } from '../../../src/agents/tools/coder-tools.ts';
import { finishTool } from '../../../src/agents/tools/finish-tool.ts';
import { policySchema } from '../../../src/policy.ts';
import { createBwrapSandbox } from '../../../src/sandbox/create-bwrap-sandbox.ts';
import { createHostRunner } from '../../../src/sandbox/create-host-runner.ts';
import { call, toolName, toolWorld } from './tool-fixtures.ts';

const policy = policySchema.parse({}).sandbox;

test('the coder gets the editor, bash, finish and ask_clarification; run_tests replaces bash where it is not offered', async (t) => {
  const world = await toolWorld();
  t.after(world.cleanup);
  const names = (tools: ReturnType<typeof coderTools>) => tools.map(toolName);
  const sandboxed = coderTools({ worktree: world.worktree, sandbox: createBwrapSandbox({ policy }), policy, testCommand: 'npm test', offerBash: true });
  assert.deepEqual(names(sandboxed), ['str_replace_based_edit_tool', 'bash', 'finish', 'ask_clarification']);
  assert.deepEqual(sandboxed[0]!.definition, { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool', max_characters: policy.output_kib * 1024 });

  const host = createHostRunner({ policy });
  const unsandboxed = coderTools({ worktree: world.worktree, sandbox: host, policy, testCommand: 'npm test', offerBash: false });
  assert.deepEqual(names(unsandboxed), ['str_replace_based_edit_tool', 'run_tests', 'finish', 'ask_clarification']);
  const noTests = coderTools({ worktree: world.worktree, sandbox: host, policy, testCommand: undefined, offerBash: false });
  assert.deepEqual(names(noTests), ['str_replace_based_edit_tool', 'finish', 'ask_clarification']);

  // The tools run against the worktree they were given.
  const viewed = await call(sandboxed[0]!, { command: 'view', path: '/repo/src/index.js' });
  assert.match(viewed.content, /answer = 42/);
});

test('finish ends the loop with the summary; bad input is an error that ends nothing', async () => {
  const finish = finishTool();
  assert.equal(toolName(finish), 'finish');
  assert.ok('input_schema' in finish.definition);
  assert.deepEqual(finish.definition.input_schema.required, ['summary']);
  assert.match(('description' in finish.definition && finish.definition.description) || '', /fail before your fix and pass after it/);

  const done = await call(finish, { summary: '  Off-by-one in add(); test/add.test.js reproduces it.  ' });
  assert.deepEqual(done.terminal, { kind: 'finish', summary: 'Off-by-one in add(); test/add.test.js reproduces it.' });
  assert.equal(done.isError, undefined);

  for (const input of [{}, { summary: '   ' }, { summary: 42 }, null, { summary: 'x'.repeat(20_001) }]) {
    const out = await call(finish, input);
    assert.equal(out.isError, true, JSON.stringify(input)?.slice(0, 40));
    assert.equal(out.terminal, undefined);
    assert.match(out.content, /finish needs `summary`/);
  }
});

test('ask_clarification ends the loop with the question; bad input is an error that ends nothing', async () => {
  const ask = askClarificationTool();
  assert.equal(toolName(ask), 'ask_clarification');
  assert.match(('description' in ask.definition && ask.definition.description) || '', /ambiguous.*cannot reproduce/s);

  const asked = await call(ask, { question: 'Should an empty cart total 0 or be refused?' });
  assert.deepEqual(asked.terminal, { kind: 'clarify', question: 'Should an empty cart total 0 or be refused?' });

  for (const input of [{}, { question: '' }, { question: ['a'] }]) {
    const out = await call(ask, input);
    assert.equal(out.isError, true);
    assert.equal(out.terminal, undefined);
    assert.match(out.content, /needs `question`/);
  }
});
