import { Inject, Injectable } from '@nestjs/common';
import { appConfig, AppConfig } from '../config/app.config';
import { QuotaExceededError, TokenChecksBusyError } from '../common/domain.errors';
import { RateLimit, RateLimiterStore } from './rate-limit';

/** Gives back what `acquire` took; calling it twice is harmless. */
export type Release = () => void;

/** Counts of a per-identity resource on this replica, with a cap. */
class PerIdentityCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly cap: number) {}

  acquire(key: string): Release | undefined {
    const n = this.counts.get(key) ?? 0;
    if (n >= this.cap) return undefined;
    this.counts.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left <= 0) this.counts.delete(key);
      else this.counts.set(key, left);
    };
  }

  held(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

/**
 * Per-tenant fairness, in one place: what one identity (workspace + customer) may take from a
 * shared server, so that a noisy tenant hits its own limits and the others do not notice.
 * - `RATE_LIMIT_PER_MINUTE`: JSON-RPC calls (a batch costs one per message), across replicas with
 *   `REDIS_URL` (the `RateLimiterStore` bound by `LimitsModule`), else per replica.
 * - `TOKEN_CHECKS_PER_MINUTE`: upstream checks of not-yet-verified tokens claiming an identity
 *   (no workspace secret), so forged tokens cannot make us hammer Integration.app; with
 *   `TOKEN_CHECKS_GLOBAL_PER_MINUTE` (all identities) and `MAX_CONCURRENT_TOKEN_CHECKS` (at once, per replica).
 * - `MAX_STREAMS_PER_IDENTITY`: open server→client streams (GET /mcp, GET /sse) on this replica.
 * - `MAX_CONCURRENT_CALLS_PER_IDENTITY`: tool calls running upstream at once on this replica.
 * Sessions per identity are capped atomically by the session store (`MAX_SESSIONS_PER_IDENTITY`).
 * The two rates run on `rate-limiter-flexible` through a `RateLimiterStore` (memory today).
 */
@Injectable()
export class TenantLimits {
  private readonly calls: RateLimit;
  private readonly tokenChecks: RateLimit;
  private readonly globalTokenChecks: RateLimit;
  private runningTokenChecks = 0;
  private readonly streams: PerIdentityCounter;
  private readonly upstreamCalls: PerIdentityCounter;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    store: RateLimiterStore,
  ) {
    this.calls = new RateLimit(store, { keyPrefix: 'rate:calls', perMinute: config.rateLimitPerMinute });
    this.tokenChecks = new RateLimit(store, {
      keyPrefix: 'rate:token-checks',
      perMinute: config.tokenChecksPerMinute,
      describe: (s) => `Too many unverified access tokens for this identity; retry after ${s} s.`,
      maxTrackedKeys: 10_000,
    });
    this.globalTokenChecks = new RateLimit(store, {
      keyPrefix: 'rate:token-checks-global',
      perMinute: config.tokenChecksGlobalPerMinute,
      describe: (s) => `Too many new access tokens are being checked on this server (TOKEN_CHECKS_GLOBAL_PER_MINUTE); retry after ${s} s.`,
    });
    this.streams = new PerIdentityCounter(config.maxStreamsPerIdentity);
    this.upstreamCalls = new PerIdentityCounter(config.maxConcurrentCallsPerIdentity);
  }

  /** Charges `calls` JSON-RPC calls to a rate key (429 + Retry-After when over; nothing taken then). */
  chargeCalls(rateKey: string, calls = 1): Promise<void> {
    return this.calls.consume(rateKey, Math.max(1, calls));
  }

  /**
   * Charges one upstream check of a token that claims `identityKey` and is not verified yet: to the
   * identity (TOKEN_CHECKS_PER_MINUTE) and to all identities together (TOKEN_CHECKS_GLOBAL_PER_MINUTE),
   * so N forged tokens claiming N different ids cannot cost N upstream checks beyond a global bound.
   */
  async chargeTokenCheck(identityKey: string): Promise<void> {
    await this.tokenChecks.consume(identityKey, 1);
    await this.globalTokenChecks.consume('all', 1);
  }

  /** Runs one upstream token check within MAX_CONCURRENT_TOKEN_CHECKS on this replica (503 + Retry-After beyond). */
  async withTokenCheckSlot<T>(check: () => Promise<T>): Promise<T> {
    if (this.runningTokenChecks >= this.config.maxConcurrentTokenChecks) throw new TokenChecksBusyError(1);
    this.runningTokenChecks++;
    try {
      return await check();
    } finally {
      this.runningTokenChecks--;
    }
  }

  /** A slot for one more open stream of the identity; 429 when it holds `MAX_STREAMS_PER_IDENTITY`. */
  acquireStream(identityKey: string): Release {
    const release = this.streams.acquire(identityKey);
    if (!release) {
      throw new QuotaExceededError(
        `Too many open streams for this identity on this server (limit ${this.config.maxStreamsPerIdentity}); close an unused one first.`,
      );
    }
    return release;
  }

  /** A slot for one more upstream tool call of the identity, or undefined when it has `MAX_CONCURRENT_CALLS_PER_IDENTITY` running. */
  tryAcquireUpstreamCall(identityKey: string): Release | undefined {
    return this.upstreamCalls.acquire(identityKey);
  }

  get maxConcurrentCalls(): number {
    return this.config.maxConcurrentCallsPerIdentity;
  }

  streamsOf(identityKey: string): number {
    return this.streams.held(identityKey);
  }

  get trackedRateKeys(): number {
    return this.calls.tracked;
  }
}
