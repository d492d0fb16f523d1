import { RateLimitedError } from '../common/domain.errors';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const MAX_TRACKED = 50_000;

/**
 * Token buckets per key: `perMinute` tokens a minute, bursts up to one minute's worth. Memory is
 * bounded: full buckets are dropped first, then the least recently used. `perMinute` 0 disables.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly describe: (retryAfterSeconds: number) => string = (s) => `Too many requests for this identity; retry after ${s} s.`,
    private readonly maxTracked = MAX_TRACKED,
  ) {}

  /** Takes `cost` tokens from the key's bucket, or throws `RateLimitedError` (nothing taken). */
  consume(key: string, cost = 1, now = Date.now()): void {
    if (this.perMinute <= 0) return;
    const rate = this.perMinute / 60_000;
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updatedAt) * rate);
      bucket.updatedAt = now;
      this.buckets.delete(key);
    } else {
      bucket = { tokens: this.perMinute, updatedAt: now };
    }
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxTracked) this.prune(now);
    // A cost above the burst size can never be paid: it waits for a full bucket and then takes all of it.
    const needed = Math.min(cost, this.perMinute);
    if (bucket.tokens < needed) {
      const seconds = Math.max(1, Math.ceil((needed - bucket.tokens) / rate / 1000));
      throw new RateLimitedError(seconds, this.describe(seconds));
    }
    bucket.tokens -= needed;
  }

  private prune(now: number): void {
    const rate = this.perMinute / 60_000;
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.updatedAt) * rate >= this.perMinute) this.buckets.delete(key);
    }
    while (this.buckets.size > this.maxTracked) this.buckets.delete(this.buckets.keys().next().value as string);
  }

  get tracked(): number {
    return this.buckets.size;
  }
}
