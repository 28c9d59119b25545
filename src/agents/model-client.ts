import type Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsBase } from '@anthropic-ai/sdk/resources/messages';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelPrice } from '../policy.ts';
import { costOf, priceOf, usageFromApi, type CallUsage } from '../domain/model-cost.ts';
import { ModelError, type ModelErrorCode, isOverloaded, isUnknownModel, toModelError } from './model-error.ts';

export type ModelCallParams = Omit<MessageCreateParamsBase, 'model' | 'stream' | 'max_tokens'> & { max_tokens?: number };

export interface ModelCall {
  message: Anthropic.Message;
  /** The model that answered (after any fallback). */
  model: string;
  usage: CallUsage;
  costUsd: number;
  durationMs: number;
}

export interface ModelClient {
  call(params: ModelCallParams, options: { signal: AbortSignal }): Promise<ModelCall>;
}

export interface ModelClientOptions {
  anthropic: Anthropic;
  /** In order of preference; the later ones take over when one is overloaded past its retries or unknown. */
  models: readonly string[];
  /** USD per million tokens, by model id. Every model in `models` must have one. */
  prices: Readonly<Record<string, ModelPrice>>;
  /** When a call does not say. */
  maxTokens?: number;
  /** A pino logger fits; fallbacks and retried streams are logged as warnings. */
  log: { warn(fields: object, message: string): void };
}

// The SDK retries only until the response starts; a stream that breaks off after that is Baton's to retry.
const MID_STREAM_RETRIES = 2;
const MID_STREAM_BACKOFF_MS = 500;
// A model found overloaded past the SDK's retries is skipped for this long, so every later turn
// does not pay the retries again; then the preferred one is tried first again.
const OVERLOADED_COOLDOWN_MS = 5 * 60_000;
const DEFAULT_MAX_TOKENS = 16_000;
const MID_STREAM_RETRYABLE = new Set<ModelErrorCode>(['connection', 'server', 'overloaded']);

type Attempt = { ok: true; message: Anthropic.Message } | { ok: false; error: unknown; connected: boolean };

export class MissingPriceError extends Error {
  readonly code = 'model_price_missing';
}

/**
 * One model call: streamed (the SDK refuses long non-streaming requests), retried by the SDK for
 * 429/5xx/529 and connection errors, by Baton for a stream broken off midway, and passed to the
 * next model when one stays overloaded or is unknown. Failures become ModelError; an abort is
 * rethrown as the SDK raised it.
 *
 * A fallback switches models mid-conversation, and the conversation keeps the first model's
 * thinking blocks as they are. The API checks each block's signature: a model that cannot read
 * another's block drops it from that request without an error (Anthropic's "preserved thinking"
 * docs), while a block that was stripped or edited is refused with a 400, and an unchanged history
 * is what lets the first model use its own thinking again once it is back. So nothing is removed
 * per model. The fallback model starts with a cold prompt cache: caches belong to one model.
 */
export function createModelClient(options: ModelClientOptions): ModelClient {
  const { anthropic, models, prices, log } = options;
  if (models.length === 0) throw new MissingPriceError('agent.models is empty: at least one model is needed');
  const unpriced = models.filter((model) => !priceOf(model, prices));
  // A model without a price would make every cost figure and the dollar cap wrong: refuse at start-up.
  if (unpriced.length) throw new MissingPriceError(`agent.prices has no price for ${unpriced.join(', ')}`);
  const unknown = new Set<string>();
  const overloadedUntil = new Map<string, number>();

  // One streamed request. `connected` says whether the response had started: the SDK retries only
  // before that, so a failure after it is Baton's to retry.
  async function attempt(model: string, params: ModelCallParams, signal: AbortSignal): Promise<Attempt> {
    let connected = false;
    const body: MessageCreateParamsBase = { ...params, model, max_tokens: params.max_tokens ?? options.maxTokens ?? DEFAULT_MAX_TOKENS };
    const stream = anthropic.messages.stream(body, { signal });
    stream.on('connect', () => { connected = true; });
    try {
      return { ok: true, message: await stream.finalMessage() };
    } catch (error) {
      return { ok: false, error, connected };
    }
  }

  return {
    async call(params, { signal }) {
      const now = Date.now();
      const usable = models.filter((m) => !unknown.has(m));
      const fresh = usable.filter((m) => (overloadedUntil.get(m) ?? 0) <= now);
      // All cooling down: try them anyway, in order, rather than fail a call nobody retried.
      const order = fresh.length ? fresh : usable;
      let last: ModelError | undefined;
      const started = Date.now();
      for (const model of order) {
        for (let retry = 0; ; retry++) {
          const result = await attempt(model, params, signal);
          if (result.ok) {
            const usage = usageFromApi(result.message.usage);
            overloadedUntil.delete(model);
            return { message: result.message, model, usage, costUsd: costOf(usage, priceOf(model, prices)!), durationMs: Date.now() - started };
          }
          const { error, connected } = result;
          if (signal.aborted) throw error;
          const modelError = toModelError(error, model);
          if (!modelError) throw error;
          if (connected && retry < MID_STREAM_RETRIES && MID_STREAM_RETRYABLE.has(modelError.code)) {
            log.warn({ model, retry: retry + 1, err: modelError.message }, 'model stream broke off; retrying the call');
            await sleep(MID_STREAM_BACKOFF_MS * 2 ** retry, undefined, { signal });
            continue;
          }
          if (isOverloaded(error)) {
            overloadedUntil.set(model, Date.now() + OVERLOADED_COOLDOWN_MS);
            log.warn({ model, err: modelError.message }, 'model overloaded past retries; falling back to the next model');
          } else if (isUnknownModel(error)) {
            unknown.add(model);
            log.warn({ model, err: modelError.message }, 'model unknown to the API; falling back to the next model');
          } else {
            throw modelError;
          }
          last = modelError;
          break;
        }
      }
      if (last?.code === 'overloaded') {
        throw new ModelError('overloaded', `Every model is overloaded (${order.join(', ')}): ${last.message}`, {
          retryable: true, status: last.status, requestId: last.requestId, cause: last,
        });
      }
      throw new ModelError('invalid_request', `The model API knows none of the configured models (${models.join(', ')})`, {
        retryable: false, status: last?.status, requestId: last?.requestId, cause: last,
      });
    },
  };
}
