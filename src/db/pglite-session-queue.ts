import type { PGlite } from '@electric-sql/pglite';

interface Pending {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

// Extended-query messages (Parse, Bind, Describe, Execute, Close, Flush) belong to a batch that only
// Sync ends; another connection's messages must not run in between, or they use its portal.
const BATCH_MESSAGES = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);

/**
 * PGlite is one PostgreSQL session shared by every socket connection. pglite-socket 0.2.17's own
 * queue keeps a connection's messages together only inside a transaction, so concurrent
 * parameterised queries interleave (electric-sql/pglite#1046), and one failed message stalls
 * it for good. This queue gives the session to one connection from the first message of a batch
 * or transaction until it ends, and keeps going after an error.
 */
export class PgliteSessionQueue {
  private readonly pending: Pending[] = [];
  private owner: number | null = null;
  private draining = false;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push({ handlerId, message, onData, resolve, reject });
      void this.drain();
    });
  }

  getQueueLength(): number {
    return this.pending.length;
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.pending.length - 1; i >= 0; i -= 1) {
      if (this.pending[i]!.handlerId !== handlerId) continue;
      this.pending.splice(i, 1)[0]!.reject(new Error('connection closed'));
    }
  }

  /** A connection that closes while it owns the session must not leave it in its transaction. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = null;
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const index = this.owner === null ? 0 : this.pending.findIndex((p) => p.handlerId === this.owner);
        // The owner's next message has not arrived yet; the others wait for it.
        if (index === -1) return;
        const item = this.pending.splice(index, 1)[0]!;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          item.reject(error);
          this.owner = this.db.isInTransaction() ? item.handlerId : null;
          continue;
        }
        const inBatch = BATCH_MESSAGES.has(item.message[0]!);
        this.owner = inBatch || this.db.isInTransaction() ? item.handlerId : null;
        item.resolve(bytes);
      }
    } finally {
      this.draining = false;
    }
  }
}
