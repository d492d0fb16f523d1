import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../common/domain.errors';

/** Keys a per-replica limiter tracks at most (the least recently charged are forgotten first). */
export const MAX_TRACKED_KEYS = 50_000;

export interface LimiterOptions {
  /** Namespaces the keys of one limit (e.g. in a shared Redis). */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
}

/**
 * Where a `RateLimit` keeps its counters: the port behind which `rate-limiter-flexible` stores
 * are chosen. Memory (per replica) today; a Redis store with the shared client makes a limit
 * cluster-wide without touching its callers.
 */
export abstract class RateLimiterStore {
  /** True when counters live in this process: then `RateLimit` caps how many keys it holds. */
  abstract readonly local: boolean;
  abstract create(options: LimiterOptions): RateLimiterAbstract;
}

export class MemoryRateLimiterStore extends RateLimiterStore {
  readonly local = true;
  create({ keyPrefix, points, durationSeconds }: LimiterOptions): RateLimiterAbstract {
    return new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds });
  }
}

/** Counters in Redis (keys expire with their window), shared by every replica using the same client and prefix. */
export class RedisRateLimiterStore extends RateLimiterStore {
  readonly local = false;
  constructor(
    private readonly client: Redis,
    private readonly prefix = '',
  ) {
    super();
  }
  create({ keyPrefix, points, durationSeconds }: LimiterOptions): RateLimiterAbstract {
    return new RateLimiterRedis({
      storeClient: this.client,
      keyPrefix: `${this.prefix}${keyPrefix}`,
      points,
      duration: durationSeconds,
      // Redis unreachable: each replica keeps counting on its own until it is back (no 500s, no free pass).
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds }),
    });
  }
}

export interface RateLimitOptions {
  keyPrefix: string;
  /** Points per key per minute; 0 (or less) disables the limit. */
  perMinute: number;
  /** The 429 message for a given Retry-After. */
  describe?: (retryAfterSeconds: number) => string;
  /** Keys tracked at most when the store is local. */
  maxTrackedKeys?: number;
}

const defaultMessage = (s: number) => `Too many requests for this identity; retry after ${s} s.`;

/**
 * `perMinute` points per key per minute window (`rate-limiter-flexible`), with what our callers
 * rely on: a charge of N points is all or nothing, a refusal is a `RateLimitedError` whose
 * Retry-After (≥ 1 s) is the time left in the window, a charge above `perMinute` waits for a full
 * window and takes all of it, and a local store holds at most `maxTrackedKeys` keys.
 */
export class RateLimit {
  private readonly limiter: RateLimiterAbstract | undefined;
  private readonly perMinute: number;
  private readonly describe: (retryAfterSeconds: number) => string;
  /** Keys of a local limiter by recency: the least recently charged is dropped from the limiter beyond the cap. */
  private readonly keys: LRUCache<string, true> | undefined;

  constructor(store: RateLimiterStore, options: RateLimitOptions) {
    this.perMinute = options.perMinute;
    this.describe = options.describe ?? defaultMessage;
    if (!(this.perMinute > 0)) return;
    const limiter = store.create({ keyPrefix: options.keyPrefix, points: this.perMinute, durationSeconds: 60 });
    this.limiter = limiter;
    if (store.local) {
      this.keys = new LRUCache<string, true>({
        max: options.maxTrackedKeys ?? MAX_TRACKED_KEYS,
        dispose: (_value, key, reason) => {
          if (reason === 'evict') void limiter.delete(key);
        },
      });
    }
  }

  /** Takes `cost` points from the key, or throws `RateLimitedError` having taken nothing. */
  async consume(key: string, cost = 1): Promise<void> {
    const limiter = this.limiter;
    if (!limiter) return;
    const points = Math.min(Math.max(1, Math.ceil(cost)), this.perMinute);
    this.keys?.set(key, true);
    try {
      await limiter.consume(key, points);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // rate-limiter-flexible counts refused points too: give them back, so a refused batch takes nothing.
      const after = await limiter.reward(key, points);
      // The window ended between the two calls: the refund opened a new one below zero.
      if (after.consumedPoints < 0) await limiter.delete(key);
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new RateLimitedError(seconds, this.describe(seconds));
    }
  }

  /** Keys a local limiter currently tracks at most (0 when disabled or not local). */
  get tracked(): number {
    return this.keys?.size ?? 0;
  }
}
