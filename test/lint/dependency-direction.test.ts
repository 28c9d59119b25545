import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

// The real eslint.config.js on code that is never written to disk: each import line is linted as
// if it were a file at `path`. (npm test lints src itself with `eslint .`.)
const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function refused(path: string, importLine: string): Promise<boolean> {
  const [result] = await eslint.lintText(`${importLine}\nexport const used = [x];\n`, { filePath: path });
  return result!.messages.some((m) => m.ruleId === '@typescript-eslint/no-restricted-imports');
}

const CASES: { path: string; line: string; refused: boolean }[] = [
  { path: 'src/domain/probe.ts', line: "import { x } from './run.ts';", refused: false },
  { path: 'src/domain/probe.ts', line: "import type { x } from '../policy.ts';", refused: false },
  { path: 'src/domain/probe.ts', line: "import { x } from '../db/runs.ts';", refused: true },
  { path: 'src/domain/probe.ts', line: "import type { x } from '../integrations/slack.ts';", refused: true },
  { path: 'src/db/probe.ts', line: "import { x } from '../domain/run.ts';", refused: false },
  { path: 'src/db/probe.ts', line: "import { x } from '../jobs/errors.ts';", refused: true },
  { path: 'src/integrations/git/probe.ts', line: "import type { x } from '../../logger.ts';", refused: false },
  { path: 'src/integrations/git/probe.ts', line: "import { x } from '../../agents/tool-loop.ts';", refused: true },
  { path: 'src/sandbox/probe.ts', line: "import { x } from '../bot/views/blocks.ts';", refused: true },
  { path: 'src/agents/tools/probe.ts', line: "import type { x } from '../../jobs/run-fix.ts';", refused: true },
  { path: 'src/agents/probe.ts', line: "import { x } from '../bot/views/run-messages.ts';", refused: true },
  { path: 'src/agents/probe.ts', line: "import { x } from '../sandbox/sandbox.ts';", refused: false },
  { path: 'src/jobs/probe.ts', line: "import { x } from '../bot/views/run-messages.ts';", refused: false },
  { path: 'src/jobs/probe.ts', line: "import { x } from '../bot/commands/agent-command.ts';", refused: true },
  { path: 'src/jobs/probe.ts', line: "import { x } from '../agents/coder.ts';", refused: false },
  { path: 'src/bot/views/probe.ts', line: "import { x } from './blocks.ts';", refused: false },
  { path: 'src/bot/views/probe.ts', line: "import type { x } from '../../domain/run.ts';", refused: false },
  { path: 'src/bot/views/probe.ts', line: "import type { x } from '../../integrations/slack.ts';", refused: false },
  { path: 'src/bot/views/probe.ts', line: "import { x } from '../../integrations/slack.ts';", refused: true },
  { path: 'src/bot/views/probe.ts', line: "import { x } from '../../db/runs.ts';", refused: true },
  { path: 'src/bot/views/probe.ts', line: "import { x } from '../commands/agent-command.ts';", refused: true },
  // bot calls into jobs only through functions main.ts hands it, types included.
  { path: 'src/bot/commands/probe.ts', line: "import type { x } from '../../jobs/start-run.ts';", refused: true },
  { path: 'src/bot/actions/probe.ts', line: "import { x } from '../../jobs/decide-cost-cap.ts';", refused: true },
  { path: 'src/bot/events/probe.ts', line: "import type { x } from '../../agents/agent-step.ts';", refused: true },
  { path: 'src/bot/probe.ts', line: "import { x } from '../main.ts';", refused: true },
  { path: 'src/bot/events/probe.ts', line: "import { x } from '../views/action-ids.ts';", refused: false },
  { path: 'src/bot/actions/probe.ts', line: "import type { x } from '../../integrations/slack.ts';", refused: false },
  { path: 'src/bot/probe.ts', line: "import type { x } from '../domain/run.ts';", refused: false },
  { path: 'src/bot/views/probe.ts', line: "import { x } from '../../jobs/run-fix.ts';", refused: true },
];

test('the lint rule holds the dependency direction, type imports included', async () => {
  for (const c of CASES) {
    assert.equal(await refused(c.path, c.line), c.refused, `${c.path}: ${c.line}`);
  }
});

