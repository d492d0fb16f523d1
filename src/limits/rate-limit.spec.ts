import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from '../common/domain.errors';
import { MemoryRateLimiterStore, RateLimit, RateLimiterStore, RedisRateLimiterStore } from './rate-limit';

async function rejection(run: Promise<void>): Promise<RateLimitedError | undefined> {
  try {
    await run;
  } catch (err) {
    expect(err).toBeInstanceOf(RateLimitedError);
    return err as RateLimitedError;
  }
  return undefined;
}
const retryAfter = (error: RateLimitedError | undefined) => Number(error?.headers['Retry-After']);

describe('RateLimit (memory store)', () => {
  const memory = new MemoryRateLimiterStore();
  const limit = (perMinute: number, extra: { describe?: (s: number) => string; maxTrackedKeys?: number } = {}) =>
    new RateLimit(memory, { keyPrefix: 'test', perMinute, ...extra });

  beforeEach(() => jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('allows perMinute points per key and window, then answers 429 with the seconds left in the window', async () => {
    const limiter = limit(3);
    for (let i = 0; i < 3; i++) await limiter.consume('a');
    const error = await rejection(limiter.consume('a'));
    expect(error!.httpStatus).toBe(429);
    expect(retryAfter(error)).toBe(60);
    // Other keys are not affected.
    await expect(limiter.consume('b')).resolves.toBeUndefined();
    jest.advanceTimersByTime(20_000);
    expect(retryAfter(await rejection(limiter.consume('a')))).toBe(40);
    jest.advanceTimersByTime(39_500);
    // Never less than one second.
    expect(retryAfter(await rejection(limiter.consume('a')))).toBe(1);
    jest.advanceTimersByTime(600);
    await expect(limiter.consume('a')).resolves.toBeUndefined();
  });

  it('charges a batch one point per call, all or nothing', async () => {
    const limiter = limit(10);
    await limiter.consume('a', 8);
    expect(await rejection(limiter.consume('a', 5))).toBeInstanceOf(RateLimitedError);
    expect(await rejection(limiter.consume('a', 3))).toBeInstanceOf(RateLimitedError);
    // Nothing was taken by the refused batches: two single calls still fit, a third does not.
    await limiter.consume('a');
    await limiter.consume('a');
    expect(await rejection(limiter.consume('a'))).toBeInstanceOf(RateLimitedError);
  });

  it('lets a batch larger than the limit through on a full window, taking all of it', async () => {
    const limiter = limit(5);
    await limiter.consume('a', 50);
    expect(await rejection(limiter.consume('a'))).toBeInstanceOf(RateLimitedError);
    await limiter.consume('b');
    expect(await rejection(limiter.consume('b', 50))).toBeInstanceOf(RateLimitedError);
    await limiter.consume('b', 4);
  });

  it('uses the given message', async () => {
    const limiter = limit(1, { describe: (s) => `slow down for ${s}s` });
    await limiter.consume('a');
    expect((await rejection(limiter.consume('a')))!.message).toBe('slow down for 60s');
  });

  it('uses the default message', async () => {
    const limiter = limit(1);
    await limiter.consume('a');
    expect((await rejection(limiter.consume('a')))!.message).toBe('Too many requests for this identity; retry after 60 s.');
  });

  it('is disabled with 0', async () => {
    const limiter = limit(0);
    for (let i = 0; i < 1000; i++) await limiter.consume('a', 10);
    expect(limiter.tracked).toBe(0);
  });

  it('bounds the keys it tracks: the least recently charged are forgotten by the limiter too', async () => {
    const limiter = limit(1, { maxTrackedKeys: 100 });
    await limiter.consume('victim');
    expect(await rejection(limiter.consume('victim'))).toBeInstanceOf(RateLimitedError);
    for (let i = 0; i < 1000; i++) await limiter.consume(`k${i}`);
    expect(limiter.tracked).toBeLessThanOrEqual(100);
    // Evicted from the store, not only from the index: a forgotten key starts afresh.
    await expect(limiter.consume('victim')).resolves.toBeUndefined();
    // A key still tracked keeps its count.
    expect(await rejection(limiter.consume('k999'))).toBeInstanceOf(RateLimitedError);
  });

  it('passes on a store failure instead of turning it into a 429', async () => {
    class FailingStore extends RateLimiterStore {
      readonly local = false;
      create(): RateLimiterAbstract {
        return { consume: () => Promise.reject(new Error('store down')) } as unknown as RateLimiterAbstract;
      }
    }
    await expect(new RateLimit(new FailingStore(), { keyPrefix: 'x', perMinute: 5 }).consume('a')).rejects.toThrow('store down');
  });
});

describe('RateLimit (Redis store, two replicas on one Redis)', () => {
  const URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `test:${randomUUID()}:`;
  let clientA: Redis;
  let clientB: Redis;

  beforeAll(() => {
    clientA = new Redis(URL);
    clientB = new Redis(URL);
  });
  afterAll(async () => {
    const keys = await clientA.keys(`${prefix}*`);
    if (keys.length) await clientA.del(...keys);
    await Promise.all([clientA.quit(), clientB.quit()]);
  });

  const pair = (name: string, perMinute: number) =>
    [clientA, clientB].map((client) => new RateLimit(new RedisRateLimiterStore(client, prefix), { keyPrefix: name, perMinute }));

  it('counts a key across replicas, keeps other keys apart and answers with Retry-After', async () => {
    const [a, b] = pair('calls', 4);
    await a.consume('id-1', 2);
    await b.consume('id-1', 2);
    const error = await rejection(a.consume('id-1'));
    expect(retryAfter(error)).toBeGreaterThanOrEqual(59);
    expect(retryAfter(error)).toBeLessThanOrEqual(60);
    expect(await rejection(b.consume('id-1'))).toBeInstanceOf(RateLimitedError);
    await expect(b.consume('id-2', 4)).resolves.toBeUndefined();
    expect(await clientA.pttl(`${prefix}calls:id-1`)).toBeGreaterThan(55_000);
  });

  it('charges a batch all or nothing across replicas', async () => {
    const [a, b] = pair('batches', 10);
    await a.consume('id', 8);
    expect(await rejection(b.consume('id', 5))).toBeInstanceOf(RateLimitedError);
    await b.consume('id');
    await a.consume('id');
    expect(await rejection(b.consume('id'))).toBeInstanceOf(RateLimitedError);
    expect(await clientA.get(`${prefix}batches:id`)).toBe('10');
  });
});
