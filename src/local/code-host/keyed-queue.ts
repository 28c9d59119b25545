/**
 * Runs tasks with the same key one after another, in call order; other keys run alongside.
 * In this process only: other processes are kept honest by git's compare-and-swap on refs and
 * by conditional updates in the database.
 */
export function createKeyedQueue(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task); // `previous` never rejects: tails are caught
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
