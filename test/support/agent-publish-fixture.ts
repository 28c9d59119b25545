import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { migrate } from '../../src/db/migrate.ts';
import { insertRun } from '../../src/db/runs.ts';
import type { Run } from '../../src/domain/run.ts';
import type { Workspace } from '../../src/integrations/git/workspace.ts';
import { FakeGitHub } from '../fakes/fake-github.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { fixtureGit, seededRemote, tempDir, testManager, type Remote } from '../integrations/git/git-fixtures.ts';
import { githubFollows } from './agent-world.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/*
 * Where publishing an agent's run starts, on real parts: a migrated schema, a bare repository as
 * acme/app's remote, the fake GitHub learning pushed branches from it, the fake Linear holding
 * ENG-7 (with its In Review state), the fake Slack, and a run of ENG-7 whose worktree holds one
 * commit changing cart.js. Everything is stopped and removed after the test.
 */

export interface PublishFixture {
  dir: string;
  db: TestDatabase;
  github: FakeGitHub;
  linear: FakeLinear;
  slack: FakeSlack;
  remote: Remote;
  git: ReturnType<typeof fixtureGit>;
  workspaces: ReturnType<typeof testManager>;
  /** The run as inserted (queued). */
  run: Run;
  workspace: Workspace;
}

export async function startPublishFixture(
  t: { after: (fn: () => Promise<void>) => void },
  options: { githubToken?: string; cart: string },
): Promise<PublishFixture> {
  const { dir, cleanup } = await tempDir();
  const db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  const github = new FakeGitHub({ token: options.githubToken });
  const linear = new FakeLinear();
  const slack = new FakeSlack();
  await Promise.all([github.start(), linear.start(), slack.start()]);
  t.after(async () => {
    await Promise.all([github.stop(), linear.stop(), slack.stop()]);
    await db.drop();
    await cleanup();
  });
  const remote = await seededRemote(dir);
  githubFollows(github, remote, 'acme', 'app');
  linear.addTeam({ key: 'ENG', name: 'Engineering' });
  linear.addState('ENG', { name: 'In Review', type: 'started' });
  linear.addIssue({ team: 'ENG', number: 7, title: 'Handle an empty cart' });

  const run = (await insertRun(db.pool, { ticketKey: 'ENG-7', source: 'slack', requestedBy: 'U1', channelId: 'C1', priority: 0 }))!;
  const workspaces = testManager(join(dir, 'data'));
  const workspace = await workspaces.prepareWorkspace({ repo: remote.repo, runId: run.id, ticketKey: 'ENG-7', title: 'Handle an empty cart' });
  await writeFile(join(workspace.path, 'cart.js'), options.cart);
  const git = fixtureGit(dir);
  await git(['add', 'cart.js'], workspace.path);
  await git(['commit', '--quiet', '-m', 'fix: empty cart'], workspace.path);
  return { dir, db, github, linear, slack, remote, git, workspaces, run, workspace };
}
