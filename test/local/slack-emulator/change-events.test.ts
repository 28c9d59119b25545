import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSlackClient } from '../../../src/integrations/slack.ts';
import { LOCAL, startEmulator } from './start-emulator.ts';

/** Reads server-sent events from a stream, one `event: change` at a time. */
function changeEvents(body: ReadableStream<Uint8Array>): { next(): Promise<{ version: number } | undefined> } {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = frame.split('\n');
          if (!lines.includes('event: change')) continue;
          const data = lines.find((l) => l.startsWith('data: '))!.slice('data: '.length);
          return JSON.parse(data) as { version: number };
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffer += value;
      }
    },
  };
}

test('the page hears every change as an SSE change event carrying the version the state then reports', async () => {
  const local = await startEmulator({ batonEventsUrl: 'http://127.0.0.1:9/slack/events' });
  try {
    const response = await fetch(`${local.url}/_/slack/events`);
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const events = changeEvents(response.body!);
    const first = await events.next();
    assert.deepEqual(first, { version: 0 }, 'the current version on connecting');

    const slack = createSlackClient({ apiUrl: local.apiUrl, token: LOCAL.botToken, retries: 0 });
    await slack.postMessage(LOCAL.channel, { text: 'hello' });
    const second = await events.next();
    assert.ok(second && second.version > first.version, 'a posted message is a change');
    assert.equal((await local.state()).version, second.version);

    await slack.postEphemeral(LOCAL.channel, LOCAL.approver, { text: 'psst' });
    assert.ok(((await events.next())?.version ?? 0) > second.version, 'an ephemeral is a change');
    await assert.rejects(slack.postMessage('C0NOWHERE', { text: 'x' }));
    await slack.postMessage(LOCAL.channel, { text: 'again' });
    const afterRefusal = await events.next();
    assert.equal(afterRefusal?.version, second.version + 2, 'a refused call changed nothing');

    local.emulator.close();
    assert.equal(await events.next(), undefined, 'close() ends the stream');
  } finally {
    await local.stop();
  }
});

test('Baton unreachable: a command is answered 502 with Slack\'s error shown to the person', async () => {
  const local = await startEmulator({ batonEventsUrl: 'http://127.0.0.1:9/slack/events' });
  try {
    const sent = await local.page('/_/slack/command', { user: LOCAL.requester, channel: LOCAL.channel, text: '/agent help' });
    assert.deepEqual(sent, { status: 502, json: { ok: false, error: 'baton_unreachable' } });
    assert.deepEqual((await local.state()).ephemerals.map((e) => e.text), ['/agent failed with the error "baton_unreachable"']);
    const message = await local.page('/_/slack/command', { user: LOCAL.requester, channel: LOCAL.channel, text: 'hello' });
    assert.equal(message.status, 502);
    assert.ok((await local.state()).messages.some((m) => m.text === 'hello' && m.user === LOCAL.requester), 'the message is still posted, as on Slack');
  } finally {
    await local.stop();
  }
});
