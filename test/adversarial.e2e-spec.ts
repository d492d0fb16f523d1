/**
 * Adversarial suite: a noisy tenant with a valid token of its own pulls every cost lever we know of
 * (CPU, memory, sessions, streams, upstream calls, rate limits, forged tokens) while a quiet tenant
 * keeps working. The latency bounds are generous on purpose: they do not measure speed, they catch
 * a frozen event loop (seconds), which is what one tenant must never be able to cause.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { startEmulator, Emulator } from './emulator/emulator';
import { generateFixture } from './emulator/generate';
import { startApp, RunningApp } from './support/app';
import { INIT_BODY, openRawSse, rawInitialize, rawPost } from './support/mcp-client';
import { customerToken } from './support/jwt';
import { testRedisUrl, deleteRedisKeys } from './support/redis-server';
import { waitFor, within } from './support/wait';
import { SessionStore } from '../src/sessions/session.store';
import { WORST_LATENCY_MS, whileNoisy } from './support/noisy-neighbour';

const WORKSPACE = 'bench';
const SECRET = 'bench-secret';
const NOISY = 'customer-0';
const QUIET = 'customer-1';
const REDIS_URL = testRedisUrl();
/** Put in arguments; must never reach a log line. */
const MARKER = `argument-marker-${randomUUID()}`;

interface Rpc {
  status: number;
  headers: Headers;
  json: unknown;
  text: string;
}

function fixture() {
  const f = generateFixture({ customers: 2, connections: 20, actionsPerIntegration: 31 });
  const ws = f.workspaces[0];
  ws.integrations.push({
    id: 'int-echo',
    key: 'echo-errors',
    name: 'Echo Errors',
    actions: [
      {
        key: 'validate',
        name: 'Validate',
        inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
        run: { mode: 'error-echo', status: 400, type: 'action_run' },
      },
    ],
  });
  for (const [i, c] of ws.customers.entries()) c.connections.push({ id: `conn-${i}-echo`, name: 'Echo', integrationKey: 'echo-errors' });
  return f;
}

describe('Adversarial: one tenant cannot freeze, exhaust or impersonate another', () => {
  let emulator: Emulator;
  const apps: RunningApp[] = [];
  /** Every token any client of this suite used: none may appear in a log line. */
  const tokens = new Set<string>();
  /** Legacy SSE session ids (credentials of token-less posts): none may appear in a log line. */
  const sseSessionIds = new Set<string>();
  const redisPrefixes: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: fixture() });
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await emulator.close();
    await deleteRedisKeys(REDIS_URL, redisPrefixes);
  });
  beforeEach(() => {
    emulator.clearFaults();
    emulator.setLatency(0);
  });

  async function app(env: Record<string, string | undefined>): Promise<RunningApp> {
    const a = await startApp({ INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_SECRET: SECRET, LOG_LEVEL: 'debug', ...env });
    apps.push(a);
    return a;
  }
  function token(customerId: string): string {
    const t = emulator.token(customerId);
    tokens.add(t);
    return t;
  }
  async function rpc(server: RunningApp, tok: string, sessionId: string | undefined, body: unknown): Promise<Rpc> {
    return rawPost(server.url, body, { Authorization: `Bearer ${tok}`, ...(sessionId ? { 'Mcp-Session-Id': sessionId } : {}) });
  }
  const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args },
  });

  /**
   * Runs `attack` while the quiet tenant calls a tool again and again and a probe polls
   * /health/live; returns the worst latency of each. Every quiet call must succeed.
   */
  async function whileAttacked(server: RunningApp, quietToken: string, attack: () => Promise<unknown>) {
    const quietSession = await rawInitialize(server.url, quietToken);
    expect((await rpc(server, quietToken, quietSession, call(1, 'app-0_list-record-0'))).status).toBe(200);
    let quietId = 2;
    return whileNoisy(
      server.url,
      async () => {
        const res = await rpc(server, quietToken, quietSession, call(quietId++, 'app-0_list-record-0'));
        const result = (res.json as { result?: { isError?: boolean } }).result;
        return res.status !== 200 || !result || result.isError ? `${res.status} ${res.text.slice(0, 200)}` : undefined;
      },
      attack,
    );
  }

  describe('CPU: bounded work per request (rate limit off, so only the work per request is tested)', () => {
    let server: RunningApp;
    beforeAll(async () => {
      server = await app({ RATE_LIMIT_PER_MINUTE: '0', MAX_CONCURRENT_CALLS_PER_IDENTITY: '1000' });
    });

    it('keeps the quiet tenant and /health/live fast while "did you mean" lookups, JWT-shaped echoes and deep JSON rain down', async () => {
      const noisy = token(NOISY);
      const dynamic = await rawInitialize(server.url, noisy, '?mode=dynamic');
      const session = await rawInitialize(server.url, noisy);
      // Names about as long as real tool names: the costly case for an edit-distance "did you mean".
      const unknownNames = (round: number) => Array.from({ length: 500 }, (_, i) => `app-${i % 20}_frob-record-${round}-${i}`);
      const jwtBomb = 'eyJ'.repeat(30_000);
      const deep = `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"x","arguments":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}}`;
      const statuses: number[] = [];
      const outcome = await whileAttacked(server, token(QUIET), async () => {
        for (let round = 0; round < 3; round++) {
          const answers = await Promise.all([
            // enable-tools: 20 calls × 500 unknown names each, in one batch (each body stays under BODY_LIMIT).
            rpc(
              server,
              noisy,
              dynamic,
              Array.from({ length: 20 }, (_, i) => call(i + 1, 'enable-tools', { tools: unknownNames(round * 100 + i) })),
            ),
            // Unknown tool names, 100 per batch.
            rpc(
              server,
              noisy,
              session,
              Array.from({ length: 100 }, (_, i) => call(i + 1, `app-${i % 20}_frob-record-${round}-${i}`)),
            ),
            // Upstream errors that echo 90 KB of JWT-looking text back (the redaction path).
            rpc(
              server,
              noisy,
              session,
              Array.from({ length: 8 }, (_, i) => call(i + 1, 'echo-errors_validate', { text: `${jwtBomb}${MARKER}` })),
            ),
            // JSON nested 20,000 deep.
            ...Array.from({ length: 5 }, () => rawPost(server.url, deep, { Authorization: `Bearer ${noisy}`, 'Mcp-Session-Id': session })),
          ]);
          statuses.push(...answers.slice(0, 3).map((a) => a.status));
        }
      });
      // The levers were really pulled (not refused wholesale, e.g. by the body limit).
      expect(statuses).toEqual(Array(9).fill(200));
      expect(outcome.failures).toEqual([]);
      expect(outcome.quietCalls).toBeGreaterThan(0);
      expect(outcome.worstCall).toBeLessThan(WORST_LATENCY_MS);
      expect(outcome.worstLive).toBeLessThan(WORST_LATENCY_MS);
    }, 120_000);

    it('still answers each lever correctly (suggestions for the first names only, redacted echoes, 400 for deep JSON)', async () => {
      const noisy = token(NOISY);
      const dynamic = await rawInitialize(server.url, noisy, '?mode=dynamic');
      const enable = await rpc(
        server,
        noisy,
        dynamic,
        call(1, 'enable-tools', { tools: ['app-0_list-recrd-0', ...Array.from({ length: 499 }, (_, i) => `nope-${i}`)] }),
      );
      const outcome = (enable.json as { result: { structuredContent: { unknown: Array<{ name: string; suggestions: string[] }> } } }).result.structuredContent;
      expect(outcome.unknown).toHaveLength(500);
      expect(outcome.unknown[0].suggestions).toContain('app-0_list-record-0');
      expect(outcome.unknown.slice(10).every((u) => u.suggestions.length === 0)).toBe(true);
      expect((await rpc(server, noisy, dynamic, call(2, 'enable-tools', { tools: Array.from({ length: 501 }, (_, i) => `n${i}`) }))).json).toMatchObject({
        result: { isError: true },
      });

      const session = await rawInitialize(server.url, noisy);
      const fakeJwt = `eyJhbGciOiJIUzI1NiJ9.eyJpZCI6ImN1c3RvbWVyLTAifQ.${'s'.repeat(43)}`;
      const echoed = await rpc(server, noisy, session, call(3, 'echo-errors_validate', { text: `${fakeJwt} ${noisy}` }));
      const text = (echoed.json as { result: { isError: boolean; content: Array<{ text: string }> } }).result.content[0].text;
      expect(text).not.toContain(fakeJwt);
      expect(text).not.toContain(noisy);

      const deep = `{"jsonrpc":"2.0","id":9,"method":"tools/list","params":{"_meta":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}}`;
      const res = await rawPost(server.url, deep, { Authorization: `Bearer ${noisy}`, 'Mcp-Session-Id': session });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: { code: -32600 } });
    });
  });

  describe.each([
    ['memory', false],
    ['redis', true],
  ])('Quotas per identity (%s session store)', (_store, useRedis) => {
    let server: RunningApp;
    let prefix: string | undefined;
    beforeAll(async () => {
      prefix = useRedis ? `adv:${randomUUID()}:` : undefined;
      if (prefix) redisPrefixes.push(prefix);
      server = await app({
        RATE_LIMIT_PER_MINUTE: '100000',
        MAX_SESSIONS: '40',
        MAX_SESSIONS_PER_IDENTITY: '10',
        MAX_STREAMS_PER_IDENTITY: '3',
        MAX_CONCURRENT_CALLS_PER_IDENTITY: '4',
        REDIS_URL: useRedis ? REDIS_URL : undefined,
        REDIS_KEY_PREFIX: prefix,
      });
    });

    it('a session flood keeps the noisy tenant within its own cap, never fills the server, and stores small records', async () => {
      const noisy = token(NOISY);
      const hugeVersion = { ...INIT_BODY, params: { ...INIT_BODY.params, protocolVersion: 'v'.repeat(200_000) } };
      const longApps = Array.from({ length: 100 }, (_, i) => `app-${i}-${'k'.repeat(30)}`).join(',');
      const results = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          rawPost(server.url, hugeVersion, { Authorization: `Bearer ${noisy}`, 'x-chat-id': `chat-${i}` }, `/mcp?apps=${i % 2 ? longApps : 'app-1'}`),
        ),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      // The quiet tenant still gets a session: the noisy one evicted its own, it did not fill the server.
      const quiet = token(QUIET);
      const quietSession = await rawInitialize(server.url, quiet);
      expect((await rpc(server, quiet, quietSession, call(1, 'app-0_list-record-0'))).status).toBe(200);

      const store = server.app.get(SessionStore);
      expect(await store.count()).toBe(11);
      const alive = (await Promise.all(results.map((r) => store.get(r.headers.get('mcp-session-id')!)))).filter(Boolean);
      expect(alive).toHaveLength(10);
      for (const s of alive) expect(s!.protocolVersion).toBeUndefined();
      // Older sessions of the flood answer 404 (evicted), like expired ones.
      const evicted = results.map((r) => r.headers.get('mcp-session-id')!).find((id) => !alive.some((s) => s!.id === id))!;
      expect((await rpc(server, noisy, evicted, { jsonrpc: '2.0', id: 5, method: 'tools/list' })).status).toBe(404);
      if (useRedis) {
        const raw = new Redis(REDIS_URL);
        try {
          const keys = await raw.keys(`${prefix}*`);
          expect(keys.length).toBeLessThan(40);
          let bytes = 0;
          for (const k of keys) bytes += Number(await raw.memory('USAGE', k));
          // 11 sessions, their chat maps and indexes: a few KB each at most (a stored protocolVersion alone was 200 KB).
          expect(bytes).toBeLessThan(11 * 8 * 1024);
        } finally {
          await raw.quit();
        }
      }
    }, 60_000);

    it("caps open streams per identity (GET /mcp and GET /sse together) without touching other tenants; an evicted session's stream ends", async () => {
      const noisy = token(NOISY);
      const sessions = await Promise.all(Array.from({ length: 4 }, () => rawInitialize(server.url, noisy)));
      const open = (sid: string, tok = noisy) =>
        fetch(`${server.url}/mcp`, { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${tok}`, 'Mcp-Session-Id': sid } });
      const streams = await Promise.all(sessions.slice(0, 3).map((sid) => open(sid)));
      expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
      const fourth = await open(sessions[3]);
      expect(fourth.status).toBe(429);
      expect(fourth.headers.get('retry-after')).toBeTruthy();
      expect(await fourth.json()).toMatchObject({ error: { message: expect.stringContaining('Too many open streams') } });
      const sse = await fetch(`${server.url}/sse`, { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${noisy}` } });
      expect(sse.status).toBe(429);
      await sse.text();

      const quiet = token(QUIET);
      const quietStream = await open(await rawInitialize(server.url, quiet), quiet);
      expect(quietStream.status).toBe(200);

      // Ten new sessions evict the ones holding streams: those streams end at once.
      const ended = streams.map(async (s) => {
        const reader = s.body!.getReader();
        for (;;) if ((await reader.read()).done) return true;
      });
      await Promise.all(Array.from({ length: 10 }, () => rawInitialize(server.url, noisy)));
      await expect(within(Promise.all(ended), 5000, 'timeout')).resolves.toEqual([true, true, true]);
      // Their slots are free again.
      const again = await open(await rawInitialize(server.url, noisy));
      expect(again.status).toBe(200);
      await again.body!.cancel();
      await quietStream.body!.cancel();
    }, 30_000);

    it('runs at most MAX_CONCURRENT_CALLS_PER_IDENTITY upstream calls of one identity; the rest are refused at once and quiet calls are not delayed', async () => {
      const noisy = token(NOISY);
      const session = await rawInitialize(server.url, noisy);
      emulator.addFault({ method: 'POST', path: /^\/connections\/conn-0-/, delayMs: 600 });
      emulator.clearRequests();
      const quiet = token(QUIET);
      const quietSession = await rawInitialize(server.url, quiet);
      const batch = rpc(
        server,
        noisy,
        session,
        Array.from({ length: 100 }, (_, i) => call(i + 1, 'app-0_list-record-0', { n: i })),
      );
      const noisyRuns = () => emulator.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/connections/conn-0-'));
      // The quiet call goes out while the noisy identity's slots are all taken upstream.
      await waitFor('the noisy calls to fill their slots upstream', () => noisyRuns().length >= 4);
      const started = performance.now();
      const quietCall = await rpc(server, quiet, quietSession, call(1, 'app-0_list-record-0'));
      const quietMs = performance.now() - started;
      const results = (await batch).json as Array<{ result: { isError?: boolean; structuredContent?: { error?: { type?: string } } } }>;
      expect(quietCall.status).toBe(200);
      expect(quietMs).toBeLessThan(WORST_LATENCY_MS);
      expect(results).toHaveLength(100);
      const ran = results.filter((r) => !r.result.isError);
      const refused = results.filter((r) => r.result.structuredContent?.error?.type === 'rate_limited');
      expect(ran).toHaveLength(4);
      expect(refused).toHaveLength(96);
      expect(noisyRuns()).toHaveLength(4);
    }, 30_000);
  });

  describe('Streams do not outlive their session', () => {
    it('ends GET /mcp and GET /sse streams once their session has expired', async () => {
      const server = await app({ SESSION_IDLE_TTL_SECONDS: '1' });
      const noisy = token(NOISY);
      const sid = await rawInitialize(server.url, noisy);
      const stream = await fetch(`${server.url}/mcp`, { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${noisy}`, 'Mcp-Session-Id': sid } });
      expect(stream.status).toBe(200);
      const sse = await openRawSse(server.url, noisy);
      sseSessionIds.add(sse.sessionId);
      const ends = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
        for (;;) if ((await reader.read()).done) return 'ended';
      };
      await expect(within(Promise.all([ends(stream.body!.getReader()), ends(sse.reader)]), 6000, 'still open')).resolves.toEqual(['ended', 'ended']);
    }, 15_000);
  });

  describe('Rate limits count JSON-RPC calls', () => {
    it("charges a batch one token per call, and one tenant's batches leave the other's budget alone", async () => {
      const server = await app({ RATE_LIMIT_PER_MINUTE: '60' });
      const noisy = token(NOISY);
      const session = await rawInitialize(server.url, noisy);
      const list = (n: number) => Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'tools/list' }));
      expect((await rpc(server, noisy, session, list(50))).status).toBe(200);
      const refused = await rpc(server, noisy, session, list(50));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const quiet = token(QUIET);
      const quietSession = await rawInitialize(server.url, quiet);
      expect((await rpc(server, quiet, quietSession, list(30))).status).toBe(200);
    });
  });

  describe('Forged tokens when no workspace secret is configured', () => {
    it("cannot spend the victim's rate limit, cost at most TOKEN_CHECKS_PER_MINUTE upstream checks, and a rejected token is not checked twice", async () => {
      const server = await app({ INTEGRATION_APP_WORKSPACE_SECRET: undefined, RATE_LIMIT_PER_MINUTE: '30', TOKEN_CHECKS_PER_MINUTE: '5' });
      const victim = token(QUIET);
      const session = await rawInitialize(server.url, victim);
      emulator.clearRequests();
      const forged = Array.from({ length: 200 }, (_, i) => {
        const t = customerToken({ workspaceKey: WORKSPACE, secret: `wrong-${i}`, customerId: QUIET });
        tokens.add(t);
        return t;
      });
      const answers = await Promise.all(forged.map((t) => rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${t}` })));
      expect(answers.every((a) => a.status === 401 || a.status === 429)).toBe(true);
      expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(5);
      const checks = emulator.requests.filter((r) => r.path === '/self').length;
      expect(checks).toBeLessThanOrEqual(5);
      // The same forged token again: answered from memory.
      await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${forged[0]}` });
      expect(emulator.requests.filter((r) => r.path === '/self').length).toBe(checks);
      // The victim's own budget is untouched.
      const mine = await rpc(server, victim, session, call(1, 'app-0_list-record-0'));
      expect(mine.status).toBe(200);
    }, 30_000);
  });

  describe('Logs', () => {
    it('carry no token, no legacy SSE session id and no argument value, at debug level, after everything above', async () => {
      // Legacy SSE with token-less posts (the session id is the credential), including a failing call.
      const server = await app({});
      const noisy = token(NOISY);
      const { sessionId, reader } = await openRawSse(server.url, noisy);
      sseSessionIds.add(sessionId);
      const post = (body: unknown) =>
        fetch(`${server.url}/sse/messages?sessionId=${sessionId}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post(INIT_BODY)).status).toBe(202);
      expect((await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
      expect((await post(call(2, 'echo-errors_validate', { text: MARKER }))).status).toBe(202);
      expect((await post(call(3, 'app-1_get-record-1', { id: MARKER }))).status).toBe(202);
      // Both calls are answered on the stream (the failing one is logged as it fails).
      let streamed = '';
      const deadline = Date.now() + 5000;
      while (!(streamed.includes('"id":2') && streamed.includes('"id":3'))) {
        const chunk = await within(reader.read(), deadline - Date.now(), null);
        if (!chunk || chunk.done) throw new Error(`the answers to calls 2 and 3 did not come on the SSE stream; got: ${streamed}`);
        streamed += new TextDecoder().decode(chunk.value);
      }
      await reader.cancel();
      // The stream's access line (path and session) is written as it ends.
      const sseAccessLine = (l: string) =>
        l.startsWith('pino ') && (JSON.parse(l.slice(5)) as { req?: { method?: string; path?: string } }).req?.path === '/sse';
      await waitFor('the access line of the closed SSE stream', () => server.logs.lines.some(sseAccessLine));

      const lines = apps.flatMap((a) => a.logs.lines);
      expect(lines.length).toBeGreaterThan(100);
      expect(lines.some((l) => l.includes('failed upstream in session sse:'))).toBe(true);
      const secrets = [...tokens, ...[...tokens].map((t) => t.split('.')[2]), ...sseSessionIds, MARKER];
      const leaks = lines.filter((l) => secrets.some((s) => l.includes(s)));
      expect(leaks).toEqual([]);
    }, 30_000);
  });
});
