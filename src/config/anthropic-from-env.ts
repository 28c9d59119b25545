import type { Config } from '../config.ts';
import { ANTHROPIC_DEFAULT_URL, type Env, type RawEnv } from './env-schema.ts';

/**
 * Sent as the API key when ANTHROPIC_BASE_URL points at a gateway or local server that holds the
 * real key itself: the SDK refuses to start without one, and such servers ignore or replace it.
 */
export const ANTHROPIC_KEY_PLACEHOLDER = 'baton-gateway-holds-the-key';

/** The model API: a key, or a gateway that holds one; otherwise what to set. */
export function anthropicFromEnv(env: Env, raw: RawEnv): Pick<Config, 'anthropic' | 'anthropicMissing'> {
  const baseUrl = env.ANTHROPIC_BASE_URL.replace(/\/+$/, '');
  // Judged on the raw value: the default URL written out explicitly is still the public API.
  const gateway = raw.ANTHROPIC_BASE_URL !== undefined && baseUrl !== ANTHROPIC_DEFAULT_URL;
  if (env.ANTHROPIC_API_KEY) return { anthropic: { baseUrl, apiKey: env.ANTHROPIC_API_KEY }, anthropicMissing: [] };
  if (gateway) return { anthropic: { baseUrl, apiKey: ANTHROPIC_KEY_PLACEHOLDER }, anthropicMissing: [] };
  return { anthropic: undefined, anthropicMissing: ['ANTHROPIC_API_KEY'] };
}
