import type Anthropic from '@anthropic-ai/sdk';
import type { RequestHandler, ScriptedMessage } from '../../test/fakes/fake-anthropic.ts';
import { DEMO_FIX, DEMO_NEW_TEST, DEMO_TEST_COMMAND } from '../../test/support/demo-repo.ts';

/**
 * The scripted model of the agent benches: a fix of the calc demo's `range` bug as a model makes
 * it, one tool call per turn with a sentence of text, stretched to `turns` model calls by reading
 * and checking around it. It acts on the conversation: the step is chosen by the number of
 * assistant turns in the request (so concurrent runs are each answered by their own content),
 * and the previous step's tool result is checked against what that step expects (the test run
 * before reproduction passes, the new test fails, the fix makes it pass). A result that does not
 * match is recorded as a divergence: the bench then reports itself broken.
 */

interface Step {
  reply: ScriptedMessage;
  /** Checks the tool result this step gets back; a message when it is not what the step expects. */
  expect?: (result: string, isError: boolean) => string | undefined;
}

const say = (text: string, name: string, input: Record<string, unknown>): ScriptedMessage => ({
  content: [{ type: 'text', text }, { type: 'tool_use', name, input }],
});
const view = (path: string, text: string, range?: [number, number]): Step => ({
  reply: say(text, 'str_replace_based_edit_tool', { command: 'view', path, ...(range ? { view_range: range } : {}) }),
  expect: (result, isError) => (isError ? `view ${path} failed: ${result.slice(0, 200)}` : undefined),
});
const bash = (command: string, text: string, exit: 'zero' | 'non-zero' = 'zero'): Step => ({
  reply: say(text, 'bash', { command }),
  expect: (result, isError) => {
    const code = /Exit code: (\d+)\s*$/.exec(result)?.[1];
    if (isError || code === undefined) return `\`${command}\` did not run: ${result.slice(-300)}`;
    if ((code === '0') !== (exit === 'zero')) return `\`${command}\` exited ${code}, expected ${exit}: ${result.slice(-300)}`;
    return undefined;
  },
});
const edit = (input: Record<string, unknown>, text: string): Step => ({
  reply: say(text, 'str_replace_based_edit_tool', input),
  expect: (result, isError) => (isError ? `${String(input.command)} ${String(input.path)} failed: ${result.slice(0, 300)}` : undefined),
});

// The path to the fix; the finish step comes after these.
const CORE: Step[] = [
  view('/repo', 'I will start with the layout of the repository.'),
  view('/repo/src/calc.js', 'The ticket is about sumRange, which is built on range. Reading calc.js.'),
  bash(DEMO_TEST_COMMAND, 'Running the suite as it is, to know the starting point.'),
  edit({ command: 'create', path: DEMO_NEW_TEST.path, file_text: DEMO_NEW_TEST.content }, 'Adding a test that pins range and sumRange to including their end.'),
  bash(DEMO_TEST_COMMAND, 'The new test should fail on the current code.', 'non-zero'),
  edit({ command: 'str_replace', path: DEMO_FIX.path, old_str: DEMO_FIX.oldStr, new_str: DEMO_FIX.newStr }, 'range stops at end - 1 because of `i < end`; making it inclusive.'),
  bash(DEMO_TEST_COMMAND, 'Running the whole suite again with the fix.'),
];
const REPRODUCED_AT = 5; // CORE index after which the bug is reproduced (the failing run came back)

// Reading and checking that a real run does around the fix; used in this order as far as needed.
const BEFORE_FIX: Step[] = [
  view('/repo/package.json', 'Checking how the tests are run.'),
  view('/repo/test/calc.test.js', 'Looking at the existing tests for calc.'),
  bash('grep -rn "range" src test', 'Finding every use of range.'),
  view('/repo/docs/ARCHITECTURE.md', 'The architecture note may say what ranges should do.'),
  view('/repo/src/money.js', 'money.js might depend on range too.'),
  bash('wc -l src/*.js test/*.js', 'Sizing the code base.'),
  bash('node -e "import(\'/repo/src/calc.js\').then((m) => console.log(m.range(1, 3), m.sumRange(1, 4)))"', 'Confirming the behaviour directly.'),
  view('/repo/test/money.test.js', 'Checking the test style used elsewhere.'),
  view('/repo/src/calc.js', 'Re-reading the loop in range.', [5, 10]),
  bash('ls -la src test docs', 'Listing the directories.'),
  view('/repo/README.md', 'The README may document range.'),
  view('/repo/CHANGELOG.md', 'Looking for earlier changes to range.'),
];
const AFTER_FIX: Step[] = [
  view('/repo/src/calc.js', 'Reviewing the fixed function.', [5, 10]),
  bash('node --test test/range.test.js', 'Running only the new test.'),
  bash('node -e "import(\'/repo/src/calc.js\').then((m) => console.log(m.sumRange(1, 4)))"', 'sumRange(1, 4) should now be 10.'),
  view(`/repo/${DEMO_NEW_TEST.path}`, 'Re-reading the new test once more.'),
  bash('node --test test/money.test.js', 'money.js is unaffected, checking anyway.'),
  bash('grep -rn "i <= end" src', 'Confirming the change is the only one.'),
  view('/repo/src/money.js', 'Making sure nothing in money.js relied on the old behaviour.', [1, 40]),
  bash('node --test test/calc.test.js', 'The old calc tests still pass?'),
  view('/repo/docs/ARCHITECTURE.md', 'The docs already say ranges include both ends; nothing to change there.', [1, 20]),
  bash(DEMO_TEST_COMMAND, 'A last full run before finishing.'),
];

const FINISH: Step = {
  reply: say('Done: the bug is reproduced by a test and fixed.', 'finish', {
    summary: 'range stopped one short of its end (`i < end`); it now includes it, as documented. test/range.test.js covers range and sumRange.',
  }),
};

/** The `turns` steps of the run: the fix, padded with reading before and checking after it, then finish. */
export function fixSteps(turns: number): Step[] {
  const extra = turns - CORE.length - 1;
  if (extra < 0 || extra > BEFORE_FIX.length + AFTER_FIX.length) {
    throw new Error(`the scripted fix takes ${CORE.length + 1} to ${CORE.length + 1 + BEFORE_FIX.length + AFTER_FIX.length} turns, not ${turns}`);
  }
  const before = Math.min(BEFORE_FIX.length, Math.max(Math.ceil(extra / 2), extra - AFTER_FIX.length));
  const after = extra - before;
  // Half the reading comes before the reproduction (exploring), the rest between it and the fix.
  const early = Math.ceil(before / 2);
  return [
    ...CORE.slice(0, 2), ...BEFORE_FIX.slice(0, early), ...CORE.slice(2, REPRODUCED_AT), ...BEFORE_FIX.slice(early, before),
    ...CORE.slice(REPRODUCED_AT), ...AFTER_FIX.slice(0, after), FINISH,
  ];
}

function toolResultOf(request: Anthropic.MessageCreateParams): { text: string; isError: boolean } | undefined {
  const last = request.messages.at(-1);
  if (!last || last.role !== 'user' || typeof last.content === 'string') return undefined;
  const result = last.content.find((b): b is Anthropic.ToolResultBlockParam => b.type === 'tool_result');
  if (!result) return undefined;
  const text = typeof result.content === 'string' ? result.content : (result.content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');
  return { text, isError: result.is_error === true };
}

export interface ScriptedFix {
  handler: RequestHandler;
  /** What did not go as scripted (a tool result not as expected, a turn past the script). */
  divergences: string[];
}

/** The handler for `fake.handle(...)`: answers step `turn` of a `turns`-call fix. */
export function scriptedFix(turns: number): ScriptedFix {
  const steps = fixSteps(turns);
  const divergences: string[] = [];
  const handler: RequestHandler = (request, info) => {
    const previous = steps[info.turn - 1];
    const result = toolResultOf(request);
    if (previous?.expect) {
      const problem = result ? previous.expect(result.text, result.isError) : 'no tool_result came back';
      if (problem) divergences.push(`turn ${info.turn}: ${problem}`);
    }
    const step = steps[info.turn];
    if (step) return step.reply;
    // Past the script (Baton sent the finish back with a gate failure, or a note): stop the run plainly.
    divergences.push(`turn ${info.turn + 1}: the run went past the ${turns}-turn script (last message: ${result?.text.slice(0, 300) ?? 'none'})`);
    return say('The script is over.', 'ask_clarification', { question: 'The benchmark script ran out of steps.' });
  };
  return { handler, divergences };
}
