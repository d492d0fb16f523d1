import { Inject, Injectable } from '@nestjs/common';
import { appConfig, AppConfig } from '../config/app.config';
import { RateLimitedError } from '../common/domain.errors';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const MAX_TRACKED = 50_000;

/**
 * Per-identity token bucket (`RATE_LIMIT_PER_MINUTE`, bursts up to one minute's worth).
 * Per replica: behind N replicas an identity gets up to N× the limit; the gateway is the place
 * for a global limit. Memory is bounded: full buckets are dropped first, then the oldest.
 */
@Injectable()
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMinute: number;

  constructor(@Inject(appConfig.KEY) config: AppConfig) {
    this.perMinute = config.rateLimitPerMinute;
  }

  consume(key: string, now = Date.now()): void {
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
    if (this.buckets.size > MAX_TRACKED) this.prune(now);
    if (bucket.tokens < 1) {
      throw new RateLimitedError(Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000)));
    }
    bucket.tokens -= 1;
  }

  private prune(now: number): void {
    const rate = this.perMinute / 60_000;
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.updatedAt) * rate >= this.perMinute) this.buckets.delete(key);
    }
    while (this.buckets.size > MAX_TRACKED) this.buckets.delete(this.buckets.keys().next().value as string);
  }

  get tracked(): number {
    return this.buckets.size;
  }
}
