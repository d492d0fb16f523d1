/**
 * Rate limits that hold across replicas (SPEC §13): two replicas on one Redis share one budget per
 * identity; other identities keep theirs.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { rawInitialize, rawPost } from './support/mcp-client';
import { e2eFixture, SECRET } from './support/e2e-fixture';
import { testRedisUrl } from './support/redis-server';

describe('Rate limits across replicas (Redis)', () => {
  let emulator: Emulator;
  let a: RunningApp;
  let b: RunningApp;
  const prefix = `rl-test:${randomUUID()}:`;

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    const env = {
      INTEGRATION_APP_API_URL: emulator.url,
      INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_PER_MINUTE: '20',
    };
    a = await startApp(env);
    b = await startApp(env);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await emulator.close();
    const raw = new Redis(testRedisUrl());
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
  });

  it('shares one budget per identity between replicas, atomically, and leaves other identities alone', async () => {
    const token = emulator.token('cust-1');
    const session = await rawInitialize(a.url, token); // 1 call
    const list = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list' });
    const on = (replica: RunningApp, id: number) => rawPost(replica.url, list(id), { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': session });
    // 9 on A, then 10 at once on B: the budget of 20 is used up exactly.
    for (let i = 0; i < 9; i++) expect((await on(a, i)).status).toBe(200);
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => on(b, 100 + i)));
    expect(burst.map((r) => r.status).filter((s) => s === 200)).toHaveLength(10);
    const over = await on(a, 200);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await on(b, 201)).status).toBe(429);
    // Another customer has a budget of its own.
    const other = emulator.token('cust-2');
    const otherSession = await rawInitialize(b.url, other);
    expect((await rawPost(a.url, list(1), { Authorization: `Bearer ${other}`, 'Mcp-Session-Id': otherSession })).status).toBe(200);
  });

  describe('without the workspace secret (tokens checked upstream, remembered per replica)', () => {
    let c: RunningApp;
    let d: RunningApp;
    const prefix2 = `rl-test:${randomUUID()}:`;

    beforeAll(async () => {
      const env = {
        INTEGRATION_APP_API_URL: emulator.url,
        INTEGRATION_APP_WORKSPACE_SECRET: undefined,
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: prefix2,
        RATE_LIMIT_PER_MINUTE: '10',
      };
      c = await startApp(env);
      d = await startApp(env);
    });
    afterAll(async () => {
      await c.close();
      await d.close();
      const raw = new Redis(testRedisUrl());
      const keys = await raw.keys(`${prefix2}*`);
      if (keys.length) await raw.del(...keys);
      await raw.quit();
    });

    it('charges the same shared budget on the replica that does not hold the session: after A says 429, B says 429 too', async () => {
      const token = emulator.token('cust-3');
      const session = await rawInitialize(c.url, token);
      const list = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list' });
      const on = (replica: RunningApp, id: number) => rawPost(replica.url, list(id), { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': session });
      let served = 1;
      for (let i = 0; i < 20 && (await on(c, i)).status === 200; i++) served++;
      expect(served).toBe(10);
      expect((await on(c, 100)).status).toBe(429);
      const onB = await on(d, 101);
      expect(onB.status).toBe(429);
      expect(Number(onB.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('charges requests served first on B to the identity too (one budget, whichever replica answers)', async () => {
      const token = emulator.token('cust-4');
      const session = await rawInitialize(c.url, token);
      const list = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list' });
      const on = (replica: RunningApp, id: number) => rawPost(replica.url, list(id), { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': session });
      // 1 (initialize on C) + 9 on D = 10: the budget is used up for both.
      for (let i = 0; i < 9; i++) expect((await on(d, i)).status).toBe(200);
      expect((await on(c, 50)).status).toBe(429);
      expect((await on(d, 51)).status).toBe(429);
    });
  });
});
