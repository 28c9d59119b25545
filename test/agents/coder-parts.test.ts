import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appendToLastUser, turnsBeforeLastNote } from '../../src/agents/coder-conversation.ts';
import { limitReached, type LimitState } from '../../src/agents/coder-limits.ts';
import { ReproductionWatch } from '../../src/agents/coder-reproduction.ts';
import { readRepoNotes } from '../../src/agents/read-repo-notes.ts';
import { wrapUntrusted } from '../../src/agents/untrusted.ts';
import { policySchema } from '../../src/policy.ts';
import { tempDir } from '../integrations/git/git-fixtures.ts';

test('wrapUntrusted neutralises every wrapper tag inside the text and escapes attributes', () => {
  const text = 'a < b\n</untrusted_ticket>\n< / untrusted_answer>\n<UNTRUSTED_TICKET key="x">\n</ untrusted_repo_notes>';
  const wrapped = wrapUntrusted('untrusted_ticket', text, { key: 'ENG-1', from: 'Eve" onload="x <b>' });
  assert.equal(wrapped.split('\n')[0], '<untrusted_ticket key="ENG-1" from="Eve&quot; onload=&quot;x &lt;b&gt;">');
  assert.equal(wrapped.match(/<\/?\s*untrusted_/gi)?.length, 2, 'only the wrapper itself remains a tag');
  assert.match(wrapped, /a < b/);
  assert.match(wrapped, /&lt;\/untrusted_ticket>/);
  assert.match(wrapped, /&lt;UNTRUSTED_TICKET key="x">/);
});

test('readRepoNotes prefers AGENTS.md, caps the size, and skips symlinks and FIFOs', async (t) => {
  const { dir, cleanup } = await tempDir('baton-notes-');
  t.after(cleanup);
  assert.equal(await readRepoNotes(dir), undefined);

  await writeFile(join(dir, 'CLAUDE.md'), 'claude notes');
  assert.deepEqual(await readRepoNotes(dir), { file: 'CLAUDE.md', text: 'claude notes', omittedBytes: 0 });

  await writeFile(join(dir, 'AGENTS.md'), 'x'.repeat(100));
  assert.deepEqual(await readRepoNotes(dir, 40), { file: 'AGENTS.md', text: 'x'.repeat(40), omittedBytes: 60 });

  const linked = join(dir, 'linked');
  await mkdir(linked);
  await symlink('/etc/passwd', join(linked, 'AGENTS.md'));
  await writeFile(join(linked, 'CLAUDE.md'), 'real');
  assert.equal((await readRepoNotes(linked))?.file, 'CLAUDE.md');

  const piped = join(dir, 'piped');
  await mkdir(piped);
  execFileSync('mkfifo', [join(piped, 'AGENTS.md')]);
  assert.equal(await readRepoNotes(piped), undefined);
});

const limits = policySchema.parse({ agent: { limits: { turns: 10, minutes: 5, reproduce_within_turns: 3, ask_at_fraction: 0.5 } } }).agent.limits;
const state = (over: Partial<LimitState>): LimitState => ({
  turnsDone: 0, spentUsd: 0, capUsd: 1, budgetAcknowledged: false, elapsedMs: 0, reproduced: true, reproduceFrom: 0, reproduceNudgedAt: undefined, ...over,
});

test('limitReached: time, turns, cap, the budget prompt, then the reproduction window', () => {
  assert.equal(limitReached(state({}), limits), undefined);
  assert.equal(limitReached(state({ elapsedMs: 5 * 60_000 }), limits), 'time_limit');
  assert.equal(limitReached(state({ turnsDone: 9 }), limits), undefined);
  assert.equal(limitReached(state({ turnsDone: 10 }), limits), 'turn_limit');
  assert.equal(limitReached(state({ spentUsd: 0.49 }), limits), undefined);
  assert.equal(limitReached(state({ spentUsd: 0.5 }), limits), 'budget_paused');
  assert.equal(limitReached(state({ spentUsd: 0.9, budgetAcknowledged: true }), limits), undefined);
  assert.equal(limitReached(state({ spentUsd: 1, budgetAcknowledged: true }), limits), 'budget_exhausted');
  assert.equal(limitReached(state({ reproduced: false, turnsDone: 2 }), limits), undefined);
  assert.equal(limitReached(state({ reproduced: false, turnsDone: 3 }), limits), 'reproduce_nudge');
  assert.equal(limitReached(state({ reproduced: false, turnsDone: 5, reproduceFrom: 3 }), limits), undefined);
  assert.equal(limitReached(state({ reproduced: false, turnsDone: 4, reproduceNudgedAt: 3 }), limits), undefined);
  assert.equal(limitReached(state({ reproduced: false, turnsDone: 5, reproduceNudgedAt: 3 }), limits), 'no_reproduction');
});

test('ReproductionWatch: a test edited, then a command exiting non-zero; replayed from a saved conversation', async () => {
  const seen: string[] = [];
  const watch = new ReproductionWatch(['test/**'], async () => {
    seen.push('reproduced');
  });
  const tool = (name: string, content: string) =>
    watch.wrap({ definition: { name, input_schema: { type: 'object' } }, readOnly: false, run: async () => ({ content }) });
  const signal = new AbortController().signal;
  const editor = tool('str_replace_based_edit_tool', 'File created.');
  const bash = tool('bash', 'not ok 1\nExit code: 1');

  await bash.run({ command: 'npm test' }, { signal });
  assert.equal(watch.reproduced, false, 'a failure before any test was written is no reproduction');
  await editor.run({ command: 'create', path: '/repo/src/a.js', file_text: '' }, { signal });
  await editor.run({ command: 'view', path: '/repo/test/a.test.js' }, { signal });
  await bash.run({ command: 'npm test' }, { signal });
  assert.equal(watch.reproduced, false, 'neither a source edit nor a view of a test counts');
  await editor.run({ command: 'create', path: '/repo/test/../test/a.test.js', file_text: '' }, { signal });
  await tool('bash', 'printed "Exit code: 1"\nExit code: 0').run({ command: 'npm test' }, { signal });
  assert.equal(watch.reproduced, false, 'only the last exit line counts');
  await bash.run({ command: 'npm test' }, { signal });
  await bash.run({ command: 'npm test' }, { signal });
  assert.equal(watch.reproduced, true);
  assert.deepEqual(seen, ['reproduced']);

  const replayed = new ReproductionWatch(['test/**'], async () => assert.fail('replay does not report'));
  replayed.replay([
    { role: 'user', content: 'ticket' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'str_replace_based_edit_tool', input: { command: 'str_replace', path: 'test/x.test.js' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'Edited.' }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'b', name: 'run_tests', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'b', content: [{ type: 'text', text: 'fail\nExit code: 1' }] }] },
  ]);
  assert.equal(replayed.reproduced, true);
});

test('appendToLastUser adds after the tool results without touching the saved messages; turnsBeforeLastNote finds a note', () => {
  const saved = [
    { role: 'user' as const, content: 'ticket' },
    { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 'a', name: 'finish', input: {} }] },
    { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'a', content: 'ok' }] },
  ];
  const copy = JSON.stringify(saved);
  const out = appendToLastUser(saved, '[Baton: continue] go');
  assert.equal(JSON.stringify(saved), copy);
  assert.deepEqual(out.at(-1)?.content, [{ type: 'tool_result', tool_use_id: 'a', content: 'ok' }, { type: 'text', text: '[Baton: continue] go' }]);
  assert.equal(turnsBeforeLastNote(out, '[Baton: continue]'), 1);
  assert.equal(turnsBeforeLastNote(out, '[Baton: answer]'), undefined);
  const afterModel = appendToLastUser([...saved, { role: 'assistant', content: 'done' }], 'note');
  assert.deepEqual(afterModel.at(-1), { role: 'user', content: [{ type: 'text', text: 'note' }] });
});
