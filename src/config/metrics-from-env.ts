import type { Config } from '../config.ts';
import type { Env } from './env-schema.ts';

/** The metrics listener, or undefined when METRICS_PORT is unset. */
export function metricsFromEnv(env: Env, problems: string[]): Config['metrics'] {
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
    problems.push('METRICS_PORT: the same as PORT; metrics get a listener of their own (pick another port)');
  }
  return env.METRICS_PORT === undefined ? undefined : { host: env.METRICS_HOST, port: env.METRICS_PORT };
}
