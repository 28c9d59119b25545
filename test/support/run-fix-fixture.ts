import { migrate } from '../../src/db/migrate.ts';
import { FakeLinear } from '../fakes/fake-linear.ts';
import { FakeSlack } from '../fakes/fake-slack.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export interface RunFixFixture {
  db: TestDatabase;
  slack: FakeSlack;
  linear: FakeLinear;
  /** Stops the fakes and drops the database. */
  stop(): Promise<void>;
}

/**
 * What a run.fix test stands on: a migrated database of its own, a fake Slack, and a fake Linear
 * holding one team with `issues` tickets numbered from 1.
 */
export async function startRunFixFixture(team: { key: string; name: string }, issues = 0): Promise<RunFixFixture> {
  const db = await createTestDatabase();
  await migrate(db.pool, db.schema);
  const slack = new FakeSlack();
  await slack.start();
  const linear = new FakeLinear();
  await linear.start();
  linear.addTeam(team);
  for (let i = 1; i <= issues; i += 1) linear.addIssue({ team: team.key, number: i, title: `Ticket ${i}` });
  return {
    db,
    slack,
    linear,
    async stop() {
      await linear.stop();
      await slack.stop();
      await db.drop();
    },
  };
}
