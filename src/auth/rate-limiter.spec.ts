import type { AppConfig } from '../config/app.config';
import { RateLimitedError } from '../common/domain.errors';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a minute worth of burst per identity, then answers with Retry-After', () => {
    const limiter = new RateLimiter({ rateLimitPerMinute: 3 } as AppConfig);
    const t = 1_000_000;
    limiter.consume('a', t);
    limiter.consume('a', t);
    limiter.consume('a', t);
    let error: RateLimitedError | undefined;
    try {
      limiter.consume('a', t);
    } catch (err) {
      error = err as RateLimitedError;
    }
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error!.httpStatus).toBe(429);
    expect(Number(error!.headers['Retry-After'])).toBe(20);
    // Other identities are not affected; tokens refill over time.
    expect(() => limiter.consume('b', t)).not.toThrow();
    expect(() => limiter.consume('a', t + 20_000)).not.toThrow();
  });

  it('is disabled with 0', () => {
    const limiter = new RateLimiter({ rateLimitPerMinute: 0 } as AppConfig);
    for (let i = 0; i < 1000; i++) limiter.consume('a');
    expect(limiter.tracked).toBe(0);
  });
});
