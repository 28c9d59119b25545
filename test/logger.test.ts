import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, createRedactor } from '../src/logger.ts';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, lines };
}

test('known secret values and token shapes never reach the log', () => {
  const { stream, lines } = capture();
  const log = createLogger({ level: 'info', pretty: false, secrets: ['s3cret-signing-value'], destination: stream });
  log.info({ header: 'Bearer abcdefghijklmnop1234', nested: { token: 'xoxb-123456789-abcdefgh' } }, 'signing with s3cret-signing-value');
  log.error({ err: new Error('auth failed for ghp_abcdefghijklmnopqrstuvwxyz0123 at postgres://baton:hunter2@db:5432/x') }, 'boom');
  const out = lines.join('');
  for (const secret of ['s3cret-signing-value', 'abcdefghijklmnop1234', 'xoxb-123456789', 'ghp_abcdefghij', 'hunter2']) {
    assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  }
  assert.match(out, /\[REDACTED\]/);
  assert.match(out, /postgres:\/\/baton:\[REDACTED\]@db/);
});

test('the redactor leaves ordinary text alone', () => {
  const redact = createRedactor(['topsecret']);
  assert.equal(redact('ENG-123 queued by U123 in C456'), 'ENG-123 queued by U123 in C456');
  assert.equal(redact('a topsecret b'), 'a [REDACTED] b');
});

test('log lines about a run carry its run id and ticket key', () => {
  const { stream, lines } = capture();
  const log = createLogger({ level: 'info', pretty: false, secrets: [], destination: stream });
  log.child({ runId: 'r-1', ticket: 'ENG-1' }).info('thread opened');
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(line.runId, 'r-1');
  assert.equal(line.ticket, 'ENG-1');
});
