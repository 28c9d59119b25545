import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAgentCommand, parseTicketKey } from '../../src/domain/parse-agent-command.ts';

test('help is the default and the explicit verb', () => {
  assert.deepEqual(parseAgentCommand(''), { kind: 'help' });
  assert.deepEqual(parseAgentCommand('  help '), { kind: 'help' });
});

test('fix takes one ticket key, normalised to upper case', () => {
  assert.deepEqual(parseAgentCommand('fix ENG-123'), { kind: 'fix', ticketKey: 'ENG-123' });
  assert.deepEqual(parseAgentCommand('FIX eng-123'), { kind: 'fix', ticketKey: 'ENG-123' });
  assert.deepEqual(parseAgentCommand('fix   OPS2-7'), { kind: 'fix', ticketKey: 'OPS2-7' });
});

test('a pasted Linear or Jira link, even as Slack formats it, gives its key', () => {
  assert.equal(parseAgentCommand('fix https://linear.app/acme/issue/ENG-42/crash-on-save').kind, 'fix');
  assert.deepEqual(parseAgentCommand('fix <https://acme.atlassian.net/browse/OPS-7>'), { kind: 'fix', ticketKey: 'OPS-7' });
  assert.deepEqual(parseTicketKey('<https://linear.app/acme/issue/ENG-9|ENG-9 title>'), { ok: true, value: 'ENG-9' });
});

test('malformed keys get a message that shows what a key looks like', () => {
  for (const bad of ['ENG123', 'ENG-', '-123', '123-ENG', 'ENG-0', 'E NG-1', 'ENG-12a', "ENG-1';DROP"]) {
    const parsed = parseAgentCommand(`fix ${bad}`);
    assert.equal(parsed.kind, 'invalid', bad);
    assert.match((parsed as { reason: string }).reason, /like ENG-123|One ticket at a time/);
  }
  assert.deepEqual(parseAgentCommand('fix'), { kind: 'invalid', reason: 'Which ticket? Try `/agent fix ENG-123`.' });
});

test('status with and without a key', () => {
  assert.deepEqual(parseAgentCommand('status'), { kind: 'status', ticketKey: undefined });
  assert.deepEqual(parseAgentCommand('status eng-5'), { kind: 'status', ticketKey: 'ENG-5' });
  assert.equal(parseAgentCommand('status nope').kind, 'invalid');
});

test('unknown subcommands are named back to the user', () => {
  assert.deepEqual(parseAgentCommand('deploy ENG-1'), { kind: 'invalid', reason: 'I don’t know the command “deploy”.'.replace('’', "'") });
});

test('a long paste is quoted back cut to 40 characters, whole surrogate pairs included', () => {
  const parsed = parseAgentCommand(`fix ${'A'.repeat(10_000)}`);
  assert.equal(parsed.kind, 'invalid');
  assert.ok(parsed.kind === 'invalid' && parsed.reason.startsWith(`“${'A'.repeat(40)}…” is not a ticket key.`), parsed.kind === 'invalid' ? parsed.reason : '');
  const emoji = parseAgentCommand('😀'.repeat(50));
  assert.deepEqual(emoji, { kind: 'invalid', reason: `I don't know the command “${'😀'.repeat(40)}…”.` });
});
