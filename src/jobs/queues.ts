import { z } from 'zod';

/**
 * The one table of queues: name → payload schema → retry, expiry and policy. `enqueue` and
 * `work` are typed from it, and `createQueue` creates exactly these queues at start-up.
 */
export const QUEUES = {
  'run.fix': {
    payload: z.object({ runId: z.uuid() }),
    options: {
      policy: 'standard',
      retryLimit: 5,
      retryDelay: 5,
      retryBackoff: true,
      // A job still active after this is presumed lost with its worker and is retried.
      expireInSeconds: 15 * 60,
      retentionDays: 7,
    },
    workers: 2,
  },
} as const satisfies Record<string, QueueDefinition>;

export interface QueueDefinition {
  payload: z.ZodType;
  options: {
    policy: 'standard' | 'short' | 'singleton' | 'stately';
    retryLimit: number;
    retryDelay: number;
    retryBackoff: boolean;
    expireInSeconds: number;
    retentionDays: number;
  };
  /** Concurrent jobs per process for this queue. */
  workers: number;
}

export type QueueName = keyof typeof QUEUES;
export type Payload<N extends QueueName> = z.infer<(typeof QUEUES)[N]['payload']>;
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];
