import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { testRedisUrl } from '../../test/support/redis-server';
import { waitFor } from '../../test/support/wait';
import { ConnectLink, ConnectLinkStore, LINK_ID, newLinkId } from './connect-link.store';
import { MemoryConnectLinkStore } from './memory-connect-link.store';
import { RedisConnectLinkStore } from './redis-connect-link.store';

const IDENTITY = 'a'.repeat(32);

function link(extra: Partial<ConnectLink> = {}): ConnectLink {
  const now = Date.now();
  return {
    id: newLinkId(),
    identityKey: IDENTITY,
    workspaceKey: 'ws',
    customerId: 'c-1',
    app: 'asana',
    appName: 'Asana',
    multiple: false,
    knownConnections: [],
    createdAt: now,
    expiresAt: now + 60_000,
    ...extra,
  };
}

/** The contract both adapters keep (one Redis store per replica: `second` is another replica, or the same memory store). */
function contract(name: string, make: () => { first: ConnectLinkStore; second: ConnectLinkStore }) {
  describe(name, () => {
    let first: ConnectLinkStore;
    let second: ConnectLinkStore;
    beforeAll(() => ({ first, second } = make()));

    it('makes 32-character url-safe random ids', () => {
      const ids = new Set(Array.from({ length: 100 }, () => newLinkId()));
      expect(ids.size).toBe(100);
      for (const id of ids) expect(id).toMatch(LINK_ID);
    });

    it('hands a link out once (on any replica); then it is "used"; an id never made is "unknown"', async () => {
      const l = link({ identityKey: 'b'.repeat(32) });
      expect(await first.create(l, 5)).toBe(true);
      expect(await second.consume(l.id)).toEqual({ state: 'ok', link: l });
      expect(await first.consume(l.id)).toEqual({ state: 'used' });
      expect(await second.consume(newLinkId())).toEqual({ state: 'unknown' });
    });

    it('of many simultaneous opens of one link, exactly one gets it', async () => {
      const l = link({ identityKey: 'c'.repeat(32) });
      await first.create(l, 5);
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second).consume(l.id)));
      expect(outcomes.filter((o) => o.state === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o.state === 'used')).toHaveLength(19);
    });

    it('an expired link answers "expired" (not unknown) and is gone after that', async () => {
      const now = Date.now();
      const l = link({ identityKey: 'd'.repeat(32), createdAt: now - 1000, expiresAt: now + 150 });
      await first.create(l, 5);
      await new Promise((r) => setTimeout(r, 250));
      expect(await second.consume(l.id)).toEqual({ state: 'expired' });
      expect((await first.consume(l.id)).state).toBe('used');
    });

    it('bounds the open links of one identity; used and expired ones free their slot; other identities are not affected', async () => {
      const owner = 'e'.repeat(32);
      const made = [link({ identityKey: owner }), link({ identityKey: owner }), link({ identityKey: owner })];
      for (const l of made) expect(await first.create(l, 3)).toBe(true);
      expect(await second.create(link({ identityKey: owner }), 3)).toBe(false);
      expect(await second.create(link({ identityKey: 'f'.repeat(32) }), 3)).toBe(true);
      await first.consume(made[0].id);
      expect(await second.create(link({ identityKey: owner }), 3)).toBe(true);
      const now = Date.now();
      const soon = 'g'.repeat(32);
      expect(await first.create(link({ identityKey: soon, expiresAt: now + 100 }), 1)).toBe(true);
      expect(await first.create(link({ identityKey: soon }), 1)).toBe(false);
      await new Promise((r) => setTimeout(r, 200));
      expect(await first.create(link({ identityKey: soon }), 1)).toBe(true);
    });

    it("tells every replica that an identity's connections changed", async () => {
      const seen: string[] = [];
      first.onChanged((k) => seen.push(`first:${k}`));
      second.onChanged((k) => seen.push(`second:${k}`));
      const key = '0123456789abcdef0123456789abcdef';
      await waitFor('the change to reach both stores', async () => {
        await second.publishChanged(key);
        return seen.includes(`first:${key}`) && seen.includes(`second:${key}`);
      });
    });
  });
}

const memory = new MemoryConnectLinkStore();
contract('MemoryConnectLinkStore', () => ({ first: memory, second: memory }));

describe('RedisConnectLinkStore (real Redis)', () => {
  const prefix = `test:${randomUUID()}:`;
  let a: RedisConnectLinkStore;
  let b: RedisConnectLinkStore;
  beforeAll(async () => {
    a = new RedisConnectLinkStore(testRedisUrl(), prefix);
    b = new RedisConnectLinkStore(testRedisUrl(), prefix);
    await Promise.all([a.onModuleInit(), b.onModuleInit()]);
  });
  afterAll(async () => {
    const raw = new Redis(testRedisUrl());
    const keys = await raw.keys(`${prefix}*`);
    // Every key the store wrote expires on its own.
    for (const k of keys) expect(await raw.pttl(k)).toBeGreaterThan(0);
    if (keys.length) await raw.del(...keys);
    await Promise.all([a.onModuleDestroy(), b.onModuleDestroy(), raw.quit()]);
  });
  contract('two replicas', () => ({ first: a, second: b }));

  it('ignores a change message that is not an identity key', async () => {
    const seen: string[] = [];
    a.onChanged((k) => seen.push(k));
    const raw = new Redis(testRedisUrl());
    try {
      await raw.publish(`${prefix}connect:changed`, 'x'.repeat(10_000));
      await a.publishChanged('1'.repeat(32));
      await waitFor('the valid message', () => seen.includes('1'.repeat(32)));
      expect(seen.every((k) => /^[0-9a-f]{32}$/.test(k))).toBe(true);
    } finally {
      await raw.quit();
    }
  });
});
