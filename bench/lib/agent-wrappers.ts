import type { ModelCallParams, ModelClient } from '../../src/agents/model-client.ts';
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

/**
 * The same client with prompt caching off: every `cache_control` the loop put on the tools, the
 * system prompt and the messages is removed before the request is sent, so the API (the fake)
 * sees the same prompt with no breakpoint and caches nothing. runToolLoop has no option for this;
 * this stands in for one.
 */
export function uncachedModel(inner: ModelClient): ModelClient {
  return {
    call: (params, options) => inner.call(withoutCacheControl(params), options),
  };
}

function withoutCacheControl(params: ModelCallParams): ModelCallParams {
  return JSON.parse(JSON.stringify(params), (key, value: unknown) => (key === 'cache_control' ? undefined : value)) as ModelCallParams;
}
