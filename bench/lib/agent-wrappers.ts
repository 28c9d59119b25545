import type { ModelClient } from '../../src/agents/model-client.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';

/** A span on the process clock (performance.now()), in the order the calls started. */
export interface CallSpan {
  start: number;
  end: number;
}

/** The same client, recording when each call started and ended (its answer read, usage and cost computed). */
export function timedModel(inner: ModelClient, spans: CallSpan[]): ModelClient {
  return {
    async call(params, options) {
      const span = { start: performance.now(), end: Number.NaN };
      spans.push(span);
      try {
        return await inner.call(params, options);
      } finally {
        span.end = performance.now();
      }
    },
  };
}

/** The same sandbox, recording each command's span (bwrap's start, the command, its exit and output). */
export function timedSandbox(inner: Sandbox, spans: CallSpan[]): Sandbox {
  return {
    sandboxed: inner.sandboxed,
    async run(command) {
      const span = { start: performance.now(), end: Number.NaN };
      spans.push(span);
      try {
        return await inner.run(command);
      } finally {
        span.end = performance.now();
      }
    },
  };
}
