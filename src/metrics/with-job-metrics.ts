import { performance } from 'node:perf_hooks';
import type { JobHandler, Queue } from '../jobs/queue.ts';
import type { QueueName } from '../jobs/queues.ts';
import type { Metrics } from './create-metrics.ts';

type JobObserver = Pick<Metrics, 'observeJob'>;

/** `handler`, timed: each run is observed under its queue, as completed or failed (and rethrown). */
export function timeJob<N extends QueueName>(name: N, handler: JobHandler<N>, metrics: JobObserver): JobHandler<N> {
  return async (payload, job) => {
    const started = performance.now();
    try {
      await handler(payload, job);
      metrics.observeJob(name, (performance.now() - started) / 1000, 'completed');
    } catch (error) {
      metrics.observeJob(name, (performance.now() - started) / 1000, 'failed');
      throw error;
    }
  };
}

/**
 * The same queue, with every handler given to `work` timed by timeJob: one wrapper in main.ts
 * rather than one in each of registerWorkers' calls.
 */
export function withJobMetrics(queue: Queue, metrics: JobObserver): Queue {
  return {
    get started() {
      return queue.started;
    },
    get listening() {
      return queue.listening;
    },
    start: () => queue.start(),
    enqueue: (db, name, payload, options) => queue.enqueue(db, name, payload, options),
    notify: (name) => queue.notify(name),
    work: (name, handler, concurrency) => queue.work(name, timeJob(name, handler, metrics), concurrency),
    hasLiveJob: (name, runId, activeWithinSeconds) => queue.hasLiveJob(name, runId, activeWithinSeconds),
    schedule: (name, cron) => queue.schedule(name, cron),
    releaseAbandonedJobs: () => queue.releaseAbandonedJobs(),
    onGivenUp: (handler) => queue.onGivenUp(handler),
    stop: (graceSeconds) => queue.stop(graceSeconds),
  };
}
