import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { MemorySessionStore } from './memory-session.store';
import { RedisSessionStore } from './redis-session.store';
import type { SessionStore } from './session.store';
import { testRedisUrl } from '../../test/support/redis-server';
import { sleepUntil } from '../../test/support/wait';
import { sessionRecord } from '../../test/support/session-record';

const URL = testRedisUrl();
const record = sessionRecord;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The same contract for both adapters; the Redis one is also raced from two connections (replicas). */
describe.each([
  ['memory', async () => ({ a: new MemorySessionStore() as SessionStore, b: undefined as SessionStore | undefined, cleanup: async () => undefined })],
  [
    'redis',
    async () => {
      const prefix = `test:${randomUUID()}:`;
      const a = new RedisSessionStore(URL, prefix);
      const b = new RedisSessionStore(URL, prefix);
      await Promise.all([a.onModuleInit(), b.onModuleInit()]);
      return {
        a: a as SessionStore,
        b: b as SessionStore | undefined,
        cleanup: async () => {
          const raw = new Redis(URL);
          const keys = await raw.keys(`${prefix}*`);
          if (keys.length) await raw.del(...keys);
          await raw.quit();
        },
      };
    },
  ],
])('SessionStore caps (%s)', (_name, make) => {
  let a: SessionStore;
  let b: SessionStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    const made = await make();
    a = made.a;
    b = made.b ?? made.a;
    cleanup = made.cleanup;
  });
  afterEach(async () => {
    await cleanup();
    await a.close();
    if (b !== a) await b.close();
  });

  it("evicts the identity's least recently used session beyond its cap, and nobody else's", async () => {
    const limits = { maxSessions: 100, maxPerIdentity: 3 };
    await a.create(record('other-1', 'quiet'), 60, limits);
    for (const id of ['n1', 'n2', 'n3']) {
      expect(await a.create(record(id, 'noisy'), 60, limits)).toEqual({ created: true, evicted: [] });
      await sleep(5); // distinct last-use times, so the LRU order is defined
    }
    // n1 was used last: n2 is now the least recently used.
    await a.touch('n1', 60);
    const outcome = await b.create(record('n4', 'noisy'), 60, limits);
    expect(outcome).toEqual({ created: true, evicted: ['n2'] });
    expect(await a.get('n2')).toBeUndefined();
    for (const id of ['n1', 'n3', 'n4', 'other-1']) expect(await a.get(id)).toBeDefined();
    expect(await a.count()).toBe(4);
  });

  it('refuses a create when the whole store is full', async () => {
    const limits = { maxSessions: 2, maxPerIdentity: 10 };
    expect((await a.create(record('x1', 'i1'), 60, limits)).created).toBe(true);
    expect((await a.create(record('x2', 'i2'), 60, limits)).created).toBe(true);
    expect(await a.create(record('x3', 'i3'), 60, limits)).toEqual({ created: false });
    expect(await a.get('x3')).toBeUndefined();
    // An identity at its own cap may still replace one of its sessions when the store is full.
    const tight = { maxSessions: 2, maxPerIdentity: 1 };
    expect(await a.create(record('x4', 'i1'), 60, tight)).toEqual({ created: true, evicted: ['x1'] });
  });

  it('keeps both caps exact under concurrent creates from two replicas', async () => {
    const limits = { maxSessions: 10, maxPerIdentity: 4 };
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).create(record(`r${i}`, `id${i % 5}`), 60, limits)));
    expect(await a.count()).toBe(10);
    const created = results.filter((r) => r.created).length;
    const evicted = results.reduce((n, r) => n + (r.evicted?.length ?? 0), 0);
    expect(created - evicted).toBe(10);
    const perIdentity = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const s = await a.get(`r${i}`);
      if (s) perIdentity.set(s.identityKey, (perIdentity.get(s.identityKey) ?? 0) + 1);
    }
    for (const n of perIdentity.values()) expect(n).toBeLessThanOrEqual(4);
  });

  it("frees an identity's slots when its sessions are deleted or expire", async () => {
    const limits = { maxSessions: 100, maxPerIdentity: 2 };
    await a.create(record('d1', 'me'), 60, limits);
    await a.create(record('d2', 'me'), 1, limits);
    const d2ExpiresBy = Date.now() + 1000;
    await a.delete('d1');
    // The point of the test: d2's 1 s TTL passes (only just, so that create itself must sweep it out).
    await sleepUntil(d2ExpiresBy + 20);
    expect(await a.create(record('d3', 'me'), 60, limits)).toEqual({ created: true, evicted: [] });
    expect(await a.create(record('d4', 'me'), 60, limits)).toEqual({ created: true, evicted: [] });
  });
});
