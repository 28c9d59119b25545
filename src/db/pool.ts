import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** A pool or a client inside a transaction: every SQL function takes one of these first. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface PoolOptions {
  url: string;
  schema: string;
  max?: number;
  /** Slack gives a slash command 3 s; a connection that takes longer must fail, not hang. */
  connectionTimeoutMs?: number;
  statementTimeoutMs?: number;
}

export function createPool(options: PoolOptions): Pool {
  // Each connection lives in Baton's schema (so tests can give every file a fresh one), set in
  // the startup packet rather than by a query that would race the caller's first statement.
  return new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 2000,
    application_name: 'baton',
    options: `-c search_path=${options.schema},public -c statement_timeout=${options.statementTimeoutMs ?? 10000}`,
  });
}

/** Runs `fn` in one transaction: commits if it returns, rolls back if it throws. */
export function withTransaction<T>(pool: Pool, fn: (tx: PoolClient) => Promise<T>): Promise<T> {
  return withOpenedTransaction(pool, 'BEGIN', (tx) => fn(tx));
}

/**
 * withTransaction whose BEGIN is sent with the transaction's first statements in one simple
 * query (`BEGIN; …`, no parameters), saving a round trip; `fn` gets their results, BEGIN's first.
 */
export async function withOpenedTransaction<T>(pool: Pool, opening: string, fn: (tx: PoolClient, opened: pg.QueryResult[]) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // pg-pool takes its own 'error' listener off a client it hands out. A connection that dies while
  // no statement of ours is running on it (a database restart between two statements) would emit
  // an 'error' nobody listens to, and Node would end the whole process. The next statement fails
  // with it anyway; the client is released as broken.
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  try {
    // pg answers a query of several statements with an array of results, one of one with a result.
    const opened = (await client.query(opening)) as pg.QueryResult | pg.QueryResult[];
    const result = await fn(client, Array.isArray(opened) ? opened : [opened]);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A failed ROLLBACK means the connection is broken: release it as such so the pool drops it.
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError as Error;
    });
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/**
 * A connection of its own with the pool's settings, outside the pool: for a LISTEN, which lasts
 * only as long as its session and would be lost (or leak to another caller) on a pooled one.
 */
export async function connectOwnClient(pool: Pool, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ ...pool.options, application_name: applicationName });
  await client.connect();
  return client;
}
