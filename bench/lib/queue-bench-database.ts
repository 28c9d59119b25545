import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { machineSchema } from './machine-postgres.ts';

export type QueueBenchDatabase = { ok: true; url: string; schema: string; drop(): Promise<void> } | { ok: false; reason: string };

/** The embedded PGlite in a scratch directory, or a fresh schema on the machine's PostgreSQL. */
export async function queueBenchDatabase(kind: 'embedded' | 'machine', pgUrl: string, workDir: string): Promise<QueueBenchDatabase> {
  if (kind === 'machine') {
    const db = await machineSchema(pgUrl);
    return db.ok ? { ok: true, url: pgUrl, schema: db.schema, drop: db.drop } : db;
  }
  mkdirSync(workDir, { recursive: true });
  const dir = mkdtempSync(join(workDir, 'queue-'));
  const schema = 'baton';
  const embedded = await startEmbeddedPostgres(dir, { schema });
  return {
    ok: true,
    url: embedded.url,
    schema,
    async drop() {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
