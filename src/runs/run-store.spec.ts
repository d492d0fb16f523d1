import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { testRedisUrl } from '../../test/support/redis-server';
import { MemoryRunStore } from './memory-run.store';
import { RedisRunStore } from './redis-run.store';
import { newRunId, RUN_ID_PATTERN, RunStore } from './run.store';

const LIMITS = { maxPerIdentity: 2, runningTtlMs: 60_000 };
const outcome = (n: number) => JSON.stringify({ kind: 'result', result: { content: [{ type: 'text', text: String(n) }] } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('run ids', () => {
  it('are unguessable (192 random bits) and of one format', () => {
    const ids = new Set(Array.from({ length: 1000 }, newRunId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(RUN_ID_PATTERN);
  });
});

describe.each([
  ['MemoryRunStore', () => ({ store: new MemoryRunStore() as RunStore, close: async () => undefined })],
  [
    'RedisRunStore (real Redis)',
    () => {
      const store = new RedisRunStore(testRedisUrl(), `test:${randomUUID()}:`);
      return { store: store as RunStore, close: () => store.onApplicationShutdown() };
    },
  ],
])('%s', (_name, make) => {
  let store: RunStore;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ store, close } = make());
    await (store as Partial<RedisRunStore>).onModuleInit?.();
  });
  afterEach(() => close());

  it('keeps a run running, then its outcome, for its owner only', async () => {
    const id = newRunId();
    expect(await store.create('alice', id, LIMITS)).toBe(true);
    expect(await store.get('alice', id)).toEqual({ status: 'running' });
    expect(await store.get('bob', id)).toBeUndefined();
    // Another identity cannot finish it either.
    await store.finish('bob', id, outcome(9), 60_000);
    expect(await store.get('alice', id)).toEqual({ status: 'running' });
    await store.finish('alice', id, outcome(1), 60_000);
    expect(await store.get('alice', id)).toEqual({ status: 'done', outcome: JSON.parse(outcome(1)) });
    expect(await store.get('bob', id)).toBeUndefined();
    expect(await store.get('alice', newRunId())).toBeUndefined();
  });

  it('bounds runs per identity: the oldest finished goes; with all running a new one is refused; identities are apart', async () => {
    const [a, b, c, d] = [newRunId(), newRunId(), newRunId(), newRunId()];
    expect(await store.create('alice', a, LIMITS)).toBe(true);
    expect(await store.create('alice', b, LIMITS)).toBe(true);
    expect(await store.create('alice', c, LIMITS)).toBe(false);
    expect(await store.create('bob', d, LIMITS)).toBe(true);
    await store.finish('alice', b, outcome(2), 60_000);
    await store.finish('alice', a, outcome(1), 60_000);
    // a was created first: it is the oldest finished one.
    expect(await store.create('alice', c, LIMITS)).toBe(true);
    expect(await store.get('alice', a)).toBeUndefined();
    expect(await store.get('alice', b)).toMatchObject({ status: 'done' });
    expect(await store.get('alice', c)).toEqual({ status: 'running' });
    expect(await store.get('bob', d)).toEqual({ status: 'running' });
  });

  it('forgets a finished run after its TTL and a running one after the running TTL (a replica that died)', async () => {
    const [done, lost] = [newRunId(), newRunId()];
    await store.create('alice', done, LIMITS);
    await store.create('alice', lost, { ...LIMITS, runningTtlMs: 150 });
    await store.finish('alice', done, outcome(1), 150);
    await sleep(250);
    expect(await store.get('alice', done)).toBeUndefined();
    expect(await store.get('alice', lost)).toBeUndefined();
    // Expired entries no longer count against the cap.
    expect(await store.create('alice', newRunId(), LIMITS)).toBe(true);
    expect(await store.create('alice', newRunId(), LIMITS)).toBe(true);
  });
});

describe('MemoryRunStore bounds across identities', () => {
  it('drops the oldest finished run of anyone beyond its total, and refuses when all run', async () => {
    const store = new MemoryRunStore({ maxRuns: 3, maxChars: 1_000_000 });
    const ids = [newRunId(), newRunId(), newRunId()];
    for (const [i, id] of ids.entries()) expect(await store.create(`owner-${i}`, id, LIMITS)).toBe(true);
    expect(await store.create('owner-x', newRunId(), LIMITS)).toBe(false);
    await store.finish('owner-1', ids[1], outcome(1), 60_000);
    expect(await store.create('owner-x', newRunId(), LIMITS)).toBe(true);
    expect(await store.get('owner-1', ids[1])).toBeUndefined();
    expect(store.size).toBe(3);
    store.onModuleDestroy();
  });

  it('drops the oldest finished results beyond its total size', async () => {
    const store = new MemoryRunStore({ maxRuns: 100, maxChars: 500 });
    const big = (n: number) => JSON.stringify({ kind: 'result', result: { content: [{ type: 'text', text: String(n).repeat(200) }] } });
    const ids = [newRunId(), newRunId(), newRunId()];
    for (const [i, id] of ids.entries()) {
      await store.create('alice', id, { ...LIMITS, maxPerIdentity: 10 });
      await store.finish('alice', id, big(i), 60_000);
    }
    expect(await store.get('alice', ids[0])).toBeUndefined();
    expect(await store.get('alice', ids[2])).toMatchObject({ status: 'done' });
    store.onModuleDestroy();
  });

  it('holds a flood from one identity to its cap (memory bounded by MAX_RUNS_PER_IDENTITY, not by the flood)', async () => {
    const store = new MemoryRunStore();
    for (let i = 0; i < 5000; i++) {
      const id = newRunId();
      if (await store.create('flooder', id, { maxPerIdentity: 50, runningTtlMs: 60_000 })) await store.finish('flooder', id, outcome(i), 60_000);
    }
    expect(store.size).toBe(50);
    store.onModuleDestroy();
  });
});

describe('RedisRunStore keys', () => {
  it('writes under its prefix only, every key with an expiry, and cleans the owner index', async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = new RedisRunStore(testRedisUrl(), prefix);
    const raw = new Redis(testRedisUrl());
    await store.onModuleInit();
    try {
      const id = newRunId();
      await store.create('alice', id, LIMITS);
      await store.finish('alice', id, outcome(1), 5000);
      const keys = (await raw.keys(`${prefix}*`)).sort();
      expect(keys).toEqual([`${prefix}run:${id}`, `${prefix}runs:alice`]);
      for (const key of keys) expect(await raw.pttl(key)).toBeGreaterThan(0);
      await raw.del(`${prefix}run:${id}`);
      await store.create('alice', newRunId(), LIMITS);
      expect(await raw.zcard(`${prefix}runs:alice`)).toBe(1);
    } finally {
      for (const key of await raw.keys(`${prefix}*`)) await raw.del(key);
      await raw.quit();
      await store.onApplicationShutdown();
    }
  });
});
