import { SessionNotFoundError } from '../common/domain.errors';
import type { SessionsConfig } from '../config/app.config';
import { SessionStore } from './session.store';
import { SessionsService } from './sessions.service';
import { identityOf } from '../auth/identity';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemorySessionStore } from './memory-session.store';
import { RedisSessionStore } from './redis-session.store';
import { testRedisUrl } from '../../test/support/redis-server';

/** A store that fails the test on any call: ids that are not ours must never reach it. */
const untouchable = new Proxy({} as SessionStore, {
  get: (_t, prop) => () => {
    throw new Error(`store.${String(prop)} must not be called`);
  },
});

describe('SessionsService', () => {
  const service = new SessionsService(untouchable, { idleTtlSeconds: 60, maxSessions: 10, maxSessionsPerIdentity: 5 } as SessionsConfig);
  const auth = { token: 't', identity: identityOf('ws', 'c'), verifiedLocally: true };

  it.each(['abc:t', 'x'.repeat(65), '../s', 'a b', '', 's:1'])('answers the session-not-found 404 for the id %p without asking the store', async (id) => {
    await expect(service.load(id, auth)).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(service.peekAny(id)).resolves.toBeUndefined();
  });
});

/**
 * A session in steady use is marked used in the store once per interval (a tenth of the idle TTL,
 * at most a minute), not on every request — with Redis that is a round trip and ~10 commands per
 * call — while a new token is always stored and sliding expiry still keeps a busy session alive.
 */
describe.each([
  ['memory', () => new MemorySessionStore(60_000)],
  ['redis', () => new RedisSessionStore(testRedisUrl(), `test:${randomUUID()}:`)],
] as const)('SessionsService marks a session used at most once per interval (%s store)', (_kind, makeStore) => {
  // Idle TTL 1 s: the mark of use is renewed at most every 100 ms.
  const config = { idleTtlSeconds: 1, maxSessions: 100, maxSessionsPerIdentity: 100 } as SessionsConfig;
  const owner = { token: 'tok-1', identity: identityOf('ws', 'touch-owner'), verifiedLocally: true };
  let store: MemorySessionStore | RedisSessionStore;
  let service: SessionsService;

  beforeAll(async () => {
    store = makeStore();
    if (store instanceof RedisSessionStore) await store.onModuleInit();
    service = new SessionsService(store, config);
  });
  afterAll(async () => {
    await store.close();
  });

  const open = async () => (await service.open({ auth: owner, mode: 'static', apps: null, transport: 'streamable-http' })).record;
  const storedMark = async (id: string) => (await store.get(id))?.lastUsedAt;

  it('leaves a fresh mark alone and renews a stale one', async () => {
    const { id } = await open();
    const opened = await storedMark(id);
    await sleep(20);
    await service.load(id, owner);
    await sleep(20);
    await service.load(id, owner);
    expect(await storedMark(id)).toBe(opened);
    await sleep(130);
    await service.load(id, owner);
    expect(await storedMark(id)).toBeGreaterThanOrEqual(opened! + 100);
  });

  it('stores a new token of the owner at once, however fresh the mark', async () => {
    const { id } = await open();
    const renewed = { ...owner, token: 'tok-2' };
    await service.load(id, renewed);
    expect((await store.get(id))?.token).toBe('tok-2');
  });

  it('keeps a session in steady use alive past its idle TTL, and lets it expire once idle', async () => {
    const { id } = await open();
    const until = Date.now() + 1_600;
    while (Date.now() < until) {
      await service.load(id, owner);
      await sleep(40);
    }
    await expect(service.load(id, owner)).resolves.toMatchObject({ id });
    await sleep(1_100);
    await expect(service.load(id, owner)).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('renews after a tenth of the idle TTL, at most a minute', () => {
    expect(service.touchIntervalMs).toBe(100);
    expect(new SessionsService(store, { ...config, idleTtlSeconds: 3600 }).touchIntervalMs).toBe(60_000);
    expect(new SessionsService(store, { ...config, idleTtlSeconds: 300 }).touchIntervalMs).toBe(30_000);
  });
});
