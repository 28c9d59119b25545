export interface GroupCommitOptions<I, O> {
  /** Commits items together in one transaction: one outcome per item, in order, or a throw for all. */
  commit(items: I[]): Promise<O[]>;
  /**
   * Items sharing a key never share a batch, nor commit at the same time: the later one waits for
   * the earlier one's batch to end, and sees what it committed.
   */
  keysOf(item: I): readonly string[];
  maxBatch: number;
  /** Batches committing at once; items arriving meanwhile gather into the next. */
  maxInFlight: number;
}

interface Waiting<I, O> {
  item: I;
  keys: readonly string[];
  resolve(outcome: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted while earlier batches commit share the next transaction (one
 * commit, one flush of the write-ahead log, a few statements for all), and each caller still
 * awaits its own item's outcome, which exists only once that transaction committed. A lone item
 * goes at once, alone. A batch that fails is retried item by item, so one bad item fails only its
 * own caller.
 */
export function createGroupCommit<I, O>(options: GroupCommitOptions<I, O>): (item: I) => Promise<O> {
  let waiting: Waiting<I, O>[] = [];
  let inFlight = 0;
  // The keys of the items in batches committing now.
  const busy = new Set<string>();
  let scheduled = false;

  function schedule(): void {
    if (scheduled || inFlight >= options.maxInFlight || waiting.length === 0) return;
    scheduled = true;
    // The items that arrived in the same turn of the event loop (a burst of requests) go together.
    setImmediate(flush);
  }

  function flush(): void {
    scheduled = false;
    const batch: Waiting<I, O>[] = [];
    const rest: Waiting<I, O>[] = [];
    // An item whose key is taken blocks the items behind it that share another of its keys, too.
    const blocked = new Set<string>();
    for (const entry of waiting) {
      if (batch.length < options.maxBatch && !entry.keys.some((key) => busy.has(key) || blocked.has(key))) {
        batch.push(entry);
        entry.keys.forEach((key) => busy.add(key));
      } else {
        rest.push(entry);
        entry.keys.forEach((key) => blocked.add(key));
      }
    }
    waiting = rest;
    if (batch.length === 0) return;
    inFlight += 1;
    void run(batch).finally(() => {
      batch.forEach((entry) => entry.keys.forEach((key) => busy.delete(key)));
      inFlight -= 1;
      schedule();
    });
    schedule();
  }

  async function run(batch: Waiting<I, O>[]): Promise<void> {
    let outcomes: O[];
    try {
      outcomes = await options.commit(batch.map((entry) => entry.item));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      // Nothing of the batch was committed; each item gets a transaction of its own.
      await Promise.all(
        batch.map((entry) =>
          options.commit([entry.item]).then(
            ([outcome]) => entry.resolve(outcome!),
            (itemError: unknown) => entry.reject(itemError),
          ),
        ),
      );
      return;
    }
    batch.forEach((entry, i) => entry.resolve(outcomes[i]!));
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, keys: options.keysOf(item), resolve, reject });
      schedule();
    });
}
