import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { RedisSessionStore } from './redis-session.store';
import type { SessionRecord } from './session.types';
import { testRedisUrl } from '../../test/support/redis-server';
import { sleepUntil, waitFor } from '../../test/support/wait';

const URL = testRedisUrl();
const record = (id: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  identityKey: 'owner',
  workspaceKey: 'ws',
  customerId: 'c',
  token: 'tok-1',
  mode: 'dynamic',
  apps: ['gmail'],
  enabledTools: [],
  chatId: undefined,
  transport: 'streamable-http',
  createdAt: 1000,
  lastUsedAt: 1000,
  ...extra,
});

describe('RedisSessionStore (real Redis)', () => {
  const prefix = `test:${randomUUID()}:`;
  let a: RedisSessionStore;
  let b: RedisSessionStore;
  let raw: Redis;

  beforeAll(async () => {
    a = new RedisSessionStore(URL, prefix);
    b = new RedisSessionStore(URL, prefix);
    await Promise.all([a.onModuleInit(), b.onModuleInit()]);
    raw = new Redis(URL);
  });
  afterAll(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    await Promise.all([a.close(), b.close(), raw.quit()]);
  });

  it('round-trips a session and sees it from another connection (another replica)', async () => {
    const r = record('s1', { chatId: 'chat' });
    await a.create(r, 60);
    expect(await b.get('s1')).toEqual(r);
    expect(await b.get('missing')).toBeUndefined();
  });

  it('touch keeps the newest token and extends the TTL, but never resurrects a deleted session', async () => {
    await a.create(record('s2'), 60);
    await b.touch('s2', 120, 'tok-2');
    const got = await a.get('s2');
    expect(got?.token).toBe('tok-2');
    expect(got!.lastUsedAt).toBeGreaterThan(1000);
    expect(await raw.pttl(`${prefix}s:s2`)).toBeGreaterThan(60_000);
    await a.delete('s2');
    await b.touch('s2', 120, 'tok-3');
    expect(await a.get('s2')).toBeUndefined();
    expect(await raw.exists(`${prefix}s:s2`)).toBe(0);
  });

  it('adds enabled tools atomically from two replicas at once', async () => {
    await a.create(record('s3'), 60);
    const names = Array.from({ length: 40 }, (_, i) => `tool_${i}`);
    await Promise.all(names.map((n, i) => (i % 2 ? a : b).addEnabledTools('s3', [n], 60)));
    expect((await a.get('s3'))!.enabledTools.sort()).toEqual([...names].sort());
    expect(await a.addEnabledTools('gone', ['x'], 60)).toBeUndefined();
  });

  it('expires idle sessions by Redis TTL and drops their chat mappings from listings', async () => {
    await a.create(record('s4', { chatId: 'c4' }), 1);
    await a.setChat('owner-ttl', 'c4', 's4', 1);
    await a.addEnabledTools('s4', ['t'], 1);
    expect(await b.getChats('owner-ttl')).toEqual({ c4: 's4' });
    await waitFor('session s4 to expire (1 s TTL)', async () => (await b.get('s4')) === undefined, { timeoutMs: 3000, intervalMs: 50 });
    expect(await b.getChats('owner-ttl')).toEqual({});
    expect(await raw.exists(`${prefix}s:s4:t`)).toBe(0);
  });

  it("keeps a busy session's chat mapping alive beyond its first TTL", async () => {
    const created = Date.now();
    await a.create(record('s7', { chatId: 'busy', identityKey: 'owner-busy' }), 1);
    await a.setChat('owner-busy', 'busy', 's7', 1);
    await sleepUntil(created + 500);
    await b.touch('s7', 60, undefined, 'owner-busy');
    // The point of the test: past the first 1 s TTL (with a margin), the touched session and its mapping live on.
    await sleepUntil(created + 1200);
    expect(await a.get('s7')).toBeDefined();
    expect(await a.getChats('owner-busy')).toEqual({ busy: 's7' });
  });

  it('counts live sessions', async () => {
    const before = await a.count();
    await a.create(record('s5'), 60);
    await a.create(record('s6'), 1);
    expect(await b.count()).toBe(before + 2);
    await waitFor('session s6 to expire (1 s TTL)', async () => (await b.count()) === before + 1, { timeoutMs: 3000, intervalMs: 50 });
    expect(await a.get('s5')).toBeDefined();
    await a.delete('s5');
    expect(await b.count()).toBe(before);
  });

  it('replaces chat mappings and removes them only while they point at the session', async () => {
    await a.create(record('c-1'), 60);
    await a.create(record('c-2'), 60);
    expect(await a.setChat('owner-chat', 'chat', 'c-1', 60)).toBeUndefined();
    expect(await b.setChat('owner-chat', 'chat', 'c-2', 60)).toBe('c-1');
    await a.removeChat('owner-chat', 'chat', 'c-1');
    expect(await b.getChats('owner-chat')).toEqual({ chat: 'c-2' });
    await a.removeChat('owner-chat', 'chat', 'c-2');
    expect(await b.getChats('owner-chat')).toEqual({});
  });

  it('isolates key prefixes', async () => {
    const other = new RedisSessionStore(URL, `${prefix}other:`);
    await other.onModuleInit();
    try {
      expect(await other.get('s1')).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('fails fast and clearly when Redis is unreachable', async () => {
    const dead = new RedisSessionStore('redis://127.0.0.1:1', prefix, { readyTimeoutMs: 200 });
    const started = Date.now();
    await dead.onModuleInit();
    await expect(dead.ping()).rejects.toThrow(/Redis at 127.0.0.1:1/);
    await expect(dead.get('s1')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
    await dead.close();
  });
});
