/**
 * Keeps the head and the tail of a long text and says how much was left out between them: the
 * start of a test run names what ran, the end says what failed. Cuts on UTF-8 byte counts.
 */
export function truncateOutput(text: string, maxBytes: number): { text: string; omittedBytes: number } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, omittedBytes: 0 };
  const head = Math.floor(maxBytes * 0.4);
  const tail = maxBytes - head;
  const omittedBytes = bytes.length - head - tail;
  // toString drops a split multi-byte character as U+FFFD at most; good enough for logs and the model.
  const start = bytes.subarray(0, head).toString('utf8');
  const end = bytes.subarray(bytes.length - tail).toString('utf8');
  return { text: `${start}\n[… ${omittedBytes} bytes left out …]\n${end}`, omittedBytes };
}
