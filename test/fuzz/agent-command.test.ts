import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import pino from 'pino';
import { parseAgentCommand, parseTicketKey } from '../../src/domain/parse-agent-command.ts';
import { handleAgentCommand } from '../../src/bot/commands/agent-command.ts';
import type { SlackMessage } from '../../src/integrations/slack.ts';
import { check, checkAsync } from './fuzz-options.ts';
import { hostileString, PROTOTYPE_NAMES } from './hostile.ts';
import { describe } from './result-shapes.ts';

/*
 * `/agent <text>`: the text is whatever a person (or a paste) put after the command. The parser
 * answers with a command or `invalid` and a reason; the reply that echoes the text must stay inside
 * Slack's limits and must not turn the text into live markup.
 */

const KEY = /^[A-Z][A-Z0-9_]{0,9}-[1-9][0-9]{0,8}$/;

const word = fc.oneof(
  fc.constantFrom('fix', 'FIX', 'status', 'help', 'Status', ''),
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,10}-[0-9]{1,10}$/),
  fc.constantFrom('https://linear.app/acme/issue/ENG-123/fix-it', '<https://acme.atlassian.net/browse/OPS-7|OPS-7>', '<!channel>', '@here', '<@U0FAKEUSER>'),
  hostileString,
);
/** A command text: words joined by any whitespace, as typed or pasted. */
const commandText = fc.tuple(fc.array(word, { maxLength: 5 }), fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', '\u3000')).map(([words, gap]) => words.join(gap));

test('parseAgentCommand: any text gives a well-formed command, and a key it returns is a ticket key', () => {
  check(
    fc.property(fc.oneof(commandText, fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
      const command = parseAgentCommand(text);
      switch (command.kind) {
        case 'help':
          return;
        case 'fix':
          return assert.match(command.ticketKey, KEY);
        case 'status':
          if (command.ticketKey !== undefined) assert.match(command.ticketKey, KEY);
          return;
        case 'invalid':
          return assert.ok(typeof command.reason === 'string' && command.reason.length > 0, describe(command));
        default:
          assert.fail(`not a command: ${describe(command)}`);
      }
    }),
    1000,
  );
});

test('parseTicketKey: any key of the documented shape is read back as itself, upper-cased', () => {
  const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,9}-[1-9][0-9]{0,8}$/);
  check(
    fc.property(key, fc.constantFrom('', ' ', '\t'), (k, pad) => {
      assert.deepEqual(parseTicketKey(`${pad}${k}${pad}`), { ok: true, value: k.toUpperCase() });
      assert.deepEqual(parseAgentCommand(`fix ${k}`), { kind: 'fix', ticketKey: k.toUpperCase() });
    }),
    300,
  );
});

/** Every piece of text a reply shows: the fallback text and each block's text objects. */
function texts(message: SlackMessage): { where: string; text: string }[] {
  const out = [{ where: 'text', text: message.text }];
  for (const [i, block] of (message.blocks ?? []).entries()) {
    const b = block as { text?: { text?: string }; elements?: { text?: string }[] };
    if (b.text?.text !== undefined) out.push({ where: `blocks[${i}].text`, text: b.text.text });
    for (const [j, e] of (b.elements ?? []).entries()) if (e.text !== undefined) out.push({ where: `blocks[${i}].elements[${j}]`, text: e.text });
  }
  return out;
}

/** The reply /agent gives for `text` (no run starts: every key is refused as not configured, and no run is listed). */
async function replyTo(text: string): Promise<SlackMessage> {
  const replies: SlackMessage[] = [];
  await handleAgentCommand(
    {
      command: { text, user_id: 'U0FAKEUSER', channel_id: 'C0FAKECHAN', response_url: 'https://hooks.slack.com/commands/T/1/x' } as never,
      ack: async (reply?: unknown) => {
        replies.push(reply as SlackMessage);
      },
    },
    {
      startRun: async () => assert.fail('no run starts: checkTicketKey refuses every key'),
      checkTicketKey: (key) => ({ text: `${key} is not configured`, blocks: [] }),
      listRuns: async () => [],
      auditTrail: async () => undefined,
      log: pino({ level: 'silent' }),
    },
  );
  assert.equal(replies.length, 1, 'one ack');
  return replies[0]!;
}

test('/agent: the reply to any text stays within Slack limits and shows the text inert (no live mention or link)', async () => {
  const hostile = fc.oneof(
    commandText,
    fc.tuple(fc.constantFrom('fix', 'status', 'frobnicate'), fc.constantFrom('<!channel>', '<!here|here>', '@everyone', '<http://evil.example|click>', '<@U0FAKEUSER>', 'x'.repeat(10_000))).map(([v, k]) => `${v} ${k}`),
  );
  await checkAsync(
    fc.asyncProperty(hostile, async (text) => {
      const reply = await replyTo(text);
      for (const { where, text: shown } of texts(reply)) {
        assert.ok(!/<[!@#]|<https?:/.test(shown), `${where} has live markup: ${describe(shown)}`);
        assert.ok(!/(^|[^\w\u200b])@(channel|here|everyone)\b/i.test(shown), `${where} has a live @mention: ${describe(shown)}`);
        if (where !== 'text') assert.ok(shown.length <= 3000, `${where} is ${shown.length} characters, over Slack's 3,000`);
        else assert.ok(shown.length <= 4000, `the fallback text is ${shown.length} characters`);
      }
    }),
    300,
  );
});
