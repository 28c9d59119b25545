import { test } from 'node:test';
import assert from 'node:assert/strict';
import { helpMessage } from '../../../src/bot/views/help-message.ts';

interface Shown {
  text?: { text: string };
  elements?: { text: string }[];
}

const texts = (m: ReturnType<typeof helpMessage>): string[] => [
  m.text,
  ...((m.blocks ?? []) as Shown[]).flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text)]),
];

test('the problem is shown escaped: a typed <!channel> or @here does not come back live', () => {
  const shown = texts(helpMessage('“<!channel> @here <https://evil.example|x>” is not a ticket key.'));
  for (const text of shown) assert.doesNotMatch(text, /<!channel>|<https:|@here\b/, text);
  assert.match(shown.join('\n'), /&lt;!channel&gt; @\u200Bhere/);
});

test('the problem is capped, so every section stays inside Slack’s 3,000 characters', () => {
  const message = helpMessage(`“${'<'.repeat(5000)}” is not a ticket key.`);
  for (const text of texts(message)) assert.ok(text.length <= 3000, `${text.length} characters`);
});

test('backticks in a problem keep their code spans', () => {
  assert.match(helpMessage('Which ticket? Try `/agent fix ENG-123`.').text, /`\/agent fix ENG-123`/);
});
