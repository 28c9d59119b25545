// FakeAnthropic in a process of its own, answering with the scripted fix: so that the RSS and the
// time measured in the bench's process are Baton's alone (the fake keeps every request it got).
// argv: <turns> <minCacheableTokens>. Prints {"url"} once listening; on a "report" line on stdin
// prints {"requests","divergences"}; exits when stdin closes.
import { createInterface } from 'node:readline';
import { FakeAnthropic } from '../../test/fakes/fake-anthropic.ts';
import { scriptedFix } from './agent-script.ts';

const [turns, minCacheable] = process.argv.slice(2).map(Number);
const fake = new FakeAnthropic({ minCacheableTokens: minCacheable ?? 1024 });
const script = scriptedFix(turns ?? 10);
fake.handle(script.handler);
await fake.start();
process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'report') return;
  const requests = fake.callsTo('POST', '/v1/messages').length;
  process.stdout.write(`${JSON.stringify({ requests, divergences: script.divergences })}\n`);
});
lines.on('close', () => {
  void fake.stop().then(() => process.exit(0));
});
