import { RateLimitedError } from '../common/domain.errors';
import { TokenBuckets } from './token-buckets';

function rejection(fn: () => void): RateLimitedError | undefined {
  try {
    fn();
  } catch (err) {
    return err as RateLimitedError;
  }
  return undefined;
}

describe('TokenBuckets', () => {
  it('allows a minute worth of burst per key, then answers with Retry-After', () => {
    const limiter = new TokenBuckets(3);
    const t = 1_000_000;
    limiter.consume('a', 1, t);
    limiter.consume('a', 1, t);
    limiter.consume('a', 1, t);
    const error = rejection(() => limiter.consume('a', 1, t));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error!.httpStatus).toBe(429);
    expect(Number(error!.headers['Retry-After'])).toBe(20);
    // Other keys are not affected; tokens refill over time.
    expect(() => limiter.consume('b', 1, t)).not.toThrow();
    expect(() => limiter.consume('a', 1, t + 20_000)).not.toThrow();
  });

  it('charges a batch one token per call, all or nothing', () => {
    const limiter = new TokenBuckets(10);
    const t = 1_000_000;
    limiter.consume('a', 8, t);
    const error = rejection(() => limiter.consume('a', 5, t));
    expect(error).toBeInstanceOf(RateLimitedError);
    // Nothing was taken by the refused batch: two single calls still fit.
    limiter.consume('a', 1, t);
    limiter.consume('a', 1, t);
    expect(rejection(() => limiter.consume('a', 1, t))).toBeInstanceOf(RateLimitedError);
  });

  it('bounds the number of tracked keys', () => {
    const limiter = new TokenBuckets(5, undefined, 100);
    for (let i = 0; i < 1000; i++) limiter.consume(`k${i}`, 1, 1_000_000);
    expect(limiter.tracked).toBeLessThanOrEqual(101);
  });

  it('uses the given message', () => {
    const limiter = new TokenBuckets(1, (s) => `slow down for ${s}s`);
    limiter.consume('a', 1, 0);
    expect(rejection(() => limiter.consume('a', 1, 0))!.message).toBe('slow down for 60s');
  });

  it('is disabled with 0', () => {
    const limiter = new TokenBuckets(0);
    for (let i = 0; i < 1000; i++) limiter.consume('a');
    expect(limiter.tracked).toBe(0);
  });
});
