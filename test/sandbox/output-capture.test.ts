import { test } from 'node:test';
import assert from 'node:assert/strict';
import { truncateOutput } from '../../src/domain/truncate-output.ts';
import { createOutputCapture } from '../../src/sandbox/output-capture.ts';

function feed(text: string, maxBytes: number, chunkSize: number) {
  const capture = createOutputCapture(maxBytes);
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkSize) capture.write(bytes.subarray(i, i + chunkSize));
  return capture.result();
}

test('whatever the chunking, the capture equals truncateOutput of the whole text', () => {
  const lines = Array.from({ length: 3000 }, (_, i) => `line ${i}: ${'x'.repeat(i % 37)}`).join('\n');
  for (const maxBytes of [10, 100, 4096, 65_536, 1_000_000]) {
    for (const chunkSize of [1, 7, 512, 65_536, 10_000_000]) {
      assert.deepEqual(feed(lines, maxBytes, chunkSize), truncateOutput(lines, maxBytes), `max ${maxBytes}, chunks of ${chunkSize}`);
    }
  }
});

test('output at the cap is whole; one byte over is cut', () => {
  assert.deepEqual(feed('a'.repeat(100), 100, 33), { text: 'a'.repeat(100), omittedBytes: 0 });
  const over = feed('a'.repeat(101), 100, 33);
  assert.equal(over.omittedBytes, 1);
  assert.equal(over.text, `${'a'.repeat(40)}\n[… 1 bytes left out …]\n${'a'.repeat(60)}`);
});

test('multi-byte characters survive chunk boundaries when nothing is cut', () => {
  const text = 'héllo wörld ✓ '.repeat(50);
  assert.deepEqual(feed(text, 100_000, 3), { text, omittedBytes: 0 });
});
