import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { createPool, withTransaction, type Pool } from '../../src/db/pool.ts';
import { createQueue } from '../../src/jobs/queue.ts';
import { eventually } from '../support/eventually.ts';

// The embedded PGlite is one PostgreSQL session behind pglite-socket: a NOTIFY is written to
// whichever socket ran the statement, never to a listener on another connection. The queue
// must find that out, say so once, and go on (its own process's jobs still start at once).
const schema = 'baton';
let dir: string;
let embedded: EmbeddedPostgres;
let pool: Pool;
const lines: Array<{ level: number; msg: string }> = [];
const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-queue-wake-'));
  embedded = await startEmbeddedPostgres(dir, { schema });
  pool = createPool({ url: embedded.url, schema });
});
after(async () => {
  await pool.end();
  await embedded.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('on the embedded database the workers poll, with one info line saying why, and local jobs still start at once', { timeout: 60_000 }, async () => {
  const queue = createQueue({ pool, schema: `${schema}_jobs`, pollIntervalSeconds: 3600, log, supervise: false });
  await queue.start();
  let ran: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (ran = resolve));
  await queue.work('intake.event', async () => ran(), 1);

  const note = await eventually(
    async () => lines.find((l) => l.msg.includes('does not deliver NOTIFY to a second connection')),
    10_000,
    'the note that wake-ups fall back to polling',
  );
  assert.equal(note.level, 30, 'info, not a warning: polling is how the embedded database works');
  assert.equal(queue.listening, false);
  assert.equal(lines.filter((l) => l.level >= 40).length, 0, 'no warning or error');

  await withTransaction(pool, (tx) => queue.enqueue(tx, 'intake.event', { source: 'github', deliveryId: 'local', event: { kind: 'ping' } }));
  queue.notify('intake.event');
  await done;
  await queue.stop(1);
  assert.equal(lines.filter((l) => l.level >= 40).length, 0, 'stopping logs no warning about the listener');
});
