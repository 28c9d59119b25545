import type { CacheTtl, PromptLayout } from './anthropic-prompt-blocks.ts';

export interface CacheUsage {
  input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

export interface PromptCacheOptions {
  now: () => number;
  /** A prefix shorter than this is never written (the API's minimum cacheable length; caching silently does nothing). */
  minCacheableTokens: number;
}

const TTL_MS: Record<CacheTtl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

/** The API looks for an earlier cache entry at up to about 20 block boundaries before each breakpoint. */
export const LOOKBACK_BLOCKS = 20;

/**
 * The prompt cache of one organisation: prefixes written at breakpoints, keyed by the hash of the whole
 * prefix, each living for its ttl from its last use. Every request reads the longest live prefix it can
 * reach from its breakpoints and writes the rest of the prompt up to its last breakpoint.
 */
export class PromptCache {
  private readonly entries = new Map<string, { ttl: CacheTtl; expiresAt: number }>();

  constructor(private readonly options: PromptCacheOptions) {}

  /** Reads and writes for a request answered at once: `begin(layout).commit()`. */
  account(layout: PromptLayout): CacheUsage {
    return this.begin(layout).commit();
  }

  /**
   * A request arrives: what it reads is decided now, from the entries live at this moment. Its own writes
   * land only at `commit()`, when its response begins, as the API makes an entry available only once the
   * first response that writes it has started. So requests sent at the same time with one prefix all miss
   * it and each writes it; a request sent after another's response began reads what that one wrote.
   */
  begin(layout: PromptLayout): { commit(): CacheUsage } {
    const { blocks } = layout;
    const arrived = this.options.now();
    let readEnd = -1;
    blocks.forEach((block, i) => {
      if (!block.breakpoint) return;
      for (let j = i; j >= Math.max(0, i - LOOKBACK_BLOCKS) && j > readEnd; j--) {
        if (this.live(blocks[j]!.prefixHash, arrived)) {
          readEnd = j;
          return;
        }
      }
    });
    return { commit: () => this.commit(layout, readEnd) };
  }

  private commit(layout: PromptLayout, readEnd: number): CacheUsage {
    const now = this.options.now();
    const { blocks } = layout;
    const read = readEnd >= 0 ? blocks[readEnd]!.prefixTokens : 0;
    const hit = readEnd >= 0 ? this.entries.get(blocks[readEnd]!.prefixHash) : undefined;
    // A hit refreshes the entry's lifetime at no cost, as the API does.
    if (hit) hit.expiresAt = now + TTL_MS[hit.ttl];

    const written: Record<CacheTtl, number> = { '5m': 0, '1h': 0 };
    let from = read;
    for (const block of blocks.slice(readEnd + 1)) {
      // A breakpoint below the minimum is not written; its tokens go to the next breakpoint that is.
      if (!block.breakpoint || block.prefixTokens < this.options.minCacheableTokens) continue;
      written[block.breakpoint] += block.prefixTokens - from;
      from = block.prefixTokens;
      this.entries.set(block.prefixHash, { ttl: block.breakpoint, expiresAt: now + TTL_MS[block.breakpoint] });
    }

    const creation = written['5m'] + written['1h'];
    return {
      input_tokens: layout.totalTokens - read - creation,
      cache_read_input_tokens: read,
      cache_creation_input_tokens: creation,
      cache_creation: { ephemeral_5m_input_tokens: written['5m'], ephemeral_1h_input_tokens: written['1h'] },
    };
  }

  /** Live entries, for tests of the fake itself. */
  size(): number {
    const now = this.options.now();
    return [...this.entries.keys()].filter((hash) => this.live(hash, now)).length;
  }

  clear(): void {
    this.entries.clear();
  }

  private live(hash: string, now: number): boolean {
    const entry = this.entries.get(hash);
    if (!entry) return false;
    if (entry.expiresAt > now) return true;
    this.entries.delete(hash);
    return false;
  }
}
