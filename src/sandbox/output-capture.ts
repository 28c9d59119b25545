/**
 * Collects a command's output as it arrives in bounded memory: the first 40 % of the cap and a
 * rolling tail of the rest, the same split and marker as truncateOutput, so a test run that prints
 * gigabytes costs at most the cap plus one chunk.
 */
export interface OutputCapture {
  write(chunk: Buffer): void;
  result(): { text: string; omittedBytes: number };
}

export function createOutputCapture(maxBytes: number): OutputCapture {
  const headLimit = Math.floor(maxBytes * 0.4);
  const tailLimit = maxBytes - headLimit;
  const head: Buffer[] = [];
  let headSize = 0;
  // Whole chunks, oldest first; trimmed so that dropping the first would leave less than tailLimit.
  const tail: Buffer[] = [];
  let tailSize = 0;
  let total = 0;

  return {
    write(chunk) {
      total += chunk.length;
      let rest = chunk;
      if (headSize < headLimit) {
        const take = rest.subarray(0, headLimit - headSize);
        head.push(take);
        headSize += take.length;
        rest = rest.subarray(take.length);
      }
      if (rest.length === 0) return;
      tail.push(rest);
      tailSize += rest.length;
      while (tail.length > 1 && tailSize - tail[0]!.length >= tailLimit) tailSize -= tail.shift()!.length;
    },
    result() {
      const headBytes = Buffer.concat(head);
      const tailBytes = Buffer.concat(tail);
      if (total <= maxBytes) return { text: Buffer.concat([headBytes, tailBytes]).toString('utf8'), omittedBytes: 0 };
      const end = tailBytes.subarray(tailBytes.length - tailLimit);
      const omittedBytes = total - headBytes.length - end.length;
      // A multi-byte character split at either cut decodes as U+FFFD, as in truncateOutput.
      return { text: `${headBytes.toString('utf8')}\n[… ${omittedBytes} bytes left out …]\n${end.toString('utf8')}`, omittedBytes };
    },
  };
}
