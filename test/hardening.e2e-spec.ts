import { createHmac, randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import Redis from 'ioredis';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { connectHttp, connectSse, INIT_BODY, MCP_HEADERS, openRawSse, rawInitialize, rawPost } from './support/mcp-client';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { customerToken } from './support/jwt';
import { testRedisUrl } from './support/redis-server';
import { sleepUntil } from './support/wait';

type Text = Array<{ text: string }>;
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list' };

describe('Hardening', () => {
  let emulator: Emulator;
  const apps: RunningApp[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    for (const a of apps) await a.close();
    await emulator.close();
  });
  beforeEach(() => {
    emulator.clearFaults();
    emulator.setLatency(0);
  });

  async function app(env: Record<string, string | undefined> = {}): Promise<RunningApp> {
    const a = await startApp({ INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_SECRET: undefined, ...env });
    apps.push(a);
    return a;
  }

  describe('identity and ownership (no workspace secret: Integration.app verifies tokens)', () => {
    let server: RunningApp;
    beforeAll(async () => {
      server = await app({ UPSTREAM_RETRIES: '0' });
    });

    it("does not let a forged token read another identity's chat sessions", async () => {
      const real = emulator.token('cust-1');
      const id = await rawInitialize(server.url, real, '', { 'x-chat-id': 'secret-chat' });
      const forged = customerToken({ workspaceKey: WORKSPACE, secret: 'not-the-secret', customerId: 'cust-1' });
      const res = await fetch(`${server.url}/mcp/sessions`, { headers: { Authorization: `Bearer ${forged}` } });
      expect(res.status).toBe(401);
      expect(JSON.stringify(await res.json())).not.toContain(id);
      const owner = await fetch(`${server.url}/mcp/sessions`, { headers: { Authorization: `Bearer ${real}` } });
      expect(await owner.json()).toEqual({ 'secret-chat': id });
    });

    it('does not let a forged token of the owner use the session', async () => {
      const id = await rawInitialize(server.url, emulator.token('cust-1'));
      const forged = customerToken({ workspaceKey: WORKSPACE, secret: 'nope', customerId: 'cust-1' });
      const res = await rawPost(server.url, LIST, { Authorization: `Bearer ${forged}`, 'Mcp-Session-Id': id });
      expect(res.status).toBe(401);
    });

    it('keeps the session for a refreshed token of the same identity and uses the newest token upstream', async () => {
      const first = emulator.token('cust-1', { expiresInSeconds: 600 });
      const id = await rawInitialize(server.url, first);
      const refreshed = emulator.token('cust-1', { expiresInSeconds: 7200 });
      expect(refreshed).not.toBe(first);
      emulator.clearRequests();
      const call = await rawPost(
        server.url,
        { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'gmail_count-unread', arguments: {} } },
        { Authorization: `Bearer ${refreshed}`, 'Mcp-Session-Id': id },
      );
      expect(call.status).toBe(200);
      expect(emulator.requests.find((r) => r.method === 'POST')?.token).toBe(refreshed);
    });

    it('rejects expired tokens before any upstream call', async () => {
      const expired = emulator.token('cust-1', { expiresInSeconds: -3600 });
      emulator.clearRequests();
      const res = await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${expired}` });
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ error: { message: expect.stringContaining('expired') } });
      expect(emulator.requests).toHaveLength(0);
    });

    it('fetches nothing upstream before a valid initialize', async () => {
      const token = emulator.token('cust-2');
      emulator.clearRequests();
      for (const body of ['{oops', '{"jsonrpc":"2.0","id":1,"method":"tools/list"}', '[1,2]', '{"jsonrpc":"2.0","id":1,"method":"initialize"}']) {
        const res = await rawPost(server.url, body, { Authorization: `Bearer ${token}` });
        expect(res.status).toBe(400);
      }
      expect((await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${token}` }, '/mcp?mode=bogus')).status).toBe(400);
      expect(emulator.requests).toEqual([]);
    });

    it('accepts the header over the query token and the scheme in any case', async () => {
      const good = emulator.token('cust-1');
      const res = await rawPost(server.url, INIT_BODY, { Authorization: `bEaReR ${good}` }, '/mcp?token=garbage');
      expect(res.status).toBe(200);
    });
  });

  describe('bad input', () => {
    let server: RunningApp;
    let token: string;
    beforeAll(async () => {
      server = await app({ INTEGRATION_APP_WORKSPACE_SECRET: SECRET, BODY_LIMIT: '2kb', ALLOWED_ORIGINS: 'https://app.example.com', LOG_LEVEL: 'info' });
      token = emulator.token('cust-1');
    });

    it('enforces ALLOWED_ORIGINS with 403 JSON', async () => {
      const bad = await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${token}`, Origin: 'https://evil.example.com' });
      expect(bad.status).toBe(403);
      expect(bad.json).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringContaining('not allowed') } });
      const good = await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${token}`, Origin: 'https://app.example.com' });
      expect(good.status).toBe(200);
      expect(good.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
    });

    it('answers an oversized body with 413 JSON (with a request id, like every answer)', async () => {
      const res = await rawPost(
        server.url,
        { ...INIT_BODY, params: { ...INIT_BODY.params, pad: 'x'.repeat(5000) } },
        { Authorization: `Bearer ${token}`, 'x-request-id': 'big-1' },
      );
      expect(res.status).toBe(413);
      expect(res.headers.get('x-request-id')).toBe('big-1');
      expect(server.logs.lines.some((l) => l.includes('Rejected POST /mcp with 413 before routing (request big-1)'))).toBe(true);
      // …and its access line, like every request (the request logger runs before the body parser).
      const access = server.logs.lines.filter((l) => l.startsWith('pino ')).map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>);
      expect(access).toContainEqual(
        expect.objectContaining({ req: { id: 'big-1', method: 'POST', path: '/mcp' }, res: { statusCode: 413 }, msg: 'request completed' }),
      );
      expect(res.json).toMatchObject({ error: { message: expect.stringContaining('too large') } });
    });

    it('answers a bad MCP-Protocol-Version with 400', async () => {
      const id = await rawInitialize(server.url, token);
      const res = await rawPost(server.url, LIST, { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id, 'MCP-Protocol-Version': '1999-01-01' });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: { message: expect.stringContaining('1999-01-01') } });
    });

    it.each([
      ['a number', '42'],
      ['a string', '"hello"'],
      ['null', 'null'],
      ['an empty batch', '[]'],
      ['an object without jsonrpc', '{"method":"tools/list","id":1}'],
    ])('answers %s with 400 / -32600', async (_, body) => {
      const res = await rawPost(server.url, body, { Authorization: `Bearer ${token}` });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
    });

    it('answers a batch with a batch', async () => {
      const id = await rawInitialize(server.url, token);
      const res = await rawPost(server.url, [LIST, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'gmail_count-unread', arguments: {} } }], {
        Authorization: `Bearer ${token}`,
        'Mcp-Session-Id': id,
      });
      expect(res.status).toBe(200);
      const body = JSON.parse(res.text) as Array<{ id: number; result: unknown }>;
      expect(body.map((r) => r.id)).toEqual([2, 9]);
    });

    it.each([
      ['no name', { arguments: {} }, /name/],
      ['a numeric name', { name: 42, arguments: {} }, /name/],
      ['arguments that are not an object', { name: 'gmail_count-unread', arguments: 'all' }, /arguments/],
      ['no params at all', undefined, /params/],
    ])('answers a tools/call with %s with -32602 naming the field (a client mistake, not an internal error)', async (_, params, field) => {
      const id = await rawInitialize(server.url, token);
      const res = await rawPost(
        server.url,
        { jsonrpc: '2.0', id: 4, method: 'tools/call', ...(params ? { params } : {}) },
        { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id },
      );
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ jsonrpc: '2.0', id: 4, error: { code: -32602, message: expect.stringMatching(/Invalid tools\/call request/) } });
      expect((res.json as { error: { message: string } }).error.message).toMatch(field);
    });

    it('answers a malformed tools/call on the legacy SSE transport with -32602 too', async () => {
      const { client } = await connectSse(server.url, { token });
      try {
        await expect(client.request({ method: 'tools/call', params: { name: 7 } } as never, CallToolResultSchema)).rejects.toMatchObject({ code: -32602 });
      } finally {
        await client.close();
      }
    });

    it('answers a wrong Content-Type with 415 and a GET without SSE Accept with 406', async () => {
      const res = await rawPost(server.url, JSON.stringify(INIT_BODY), { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' });
      expect(res.status).toBe(415);
      const id = await rawInitialize(server.url, token);
      const get = await fetch(`${server.url}/mcp`, { headers: { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id, Accept: 'application/json' } });
      expect(get.status).toBe(406);
      expect(await get.json()).toMatchObject({ error: { code: -32000 } });
    });

    it('survives thousands of random and mutated bodies on /mcp and /sse/messages, always answering JSON', async () => {
      const id = await rawInitialize(server.url, token);
      const seeds: unknown[] = [
        INIT_BODY,
        LIST,
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'gmail_send-email', arguments: { to: ['a@b.co'], body: 'x' } } },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 5, result: {} },
      ];
      let seed = 42;
      const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      const junk = (): unknown => {
        const kinds = [
          () => null,
          () => rnd() * 1e6,
          () => 'x'.repeat(Math.floor(rnd() * 20)),
          () => [],
          () => ({}),
          () => true,
          () => ({ __proto__: { polluted: 1 } }),
          () => '\u0000\ud800',
        ];
        return kinds[Math.floor(rnd() * kinds.length)]();
      };
      const mutate = (value: unknown, depth = 0): unknown => {
        if (value && typeof value === 'object' && depth < 4) {
          const copy: Record<string, unknown> = Array.isArray(value) ? { ...value } : { ...(value as object) };
          const keys = Object.keys(copy);
          if (keys.length && rnd() < 0.5)
            copy[keys[Math.floor(rnd() * keys.length)]] = rnd() < 0.5 ? junk() : mutate(copy[keys[Math.floor(rnd() * keys.length)]], depth + 1);
          if (rnd() < 0.2) copy[['id', 'method', 'params', 'jsonrpc', 'name', 'arguments'][Math.floor(rnd() * 6)]] = junk();
          return Array.isArray(value) ? Object.values(copy) : copy;
        }
        return rnd() < 0.5 ? junk() : value;
      };
      const bodies: string[] = [];
      for (let i = 0; i < 2500; i++) {
        const base = seeds[Math.floor(rnd() * seeds.length)];
        let text = JSON.stringify(rnd() < 0.1 ? [mutate(base), mutate(base)] : mutate(base)) ?? 'null';
        if (rnd() < 0.15) text = text.slice(0, Math.floor(rnd() * text.length));
        bodies.push(text);
      }
      const { sessionId: sseSession, reader } = await openRawSse(server.url, token);

      const problems: string[] = [];
      for (let i = 0; i < bodies.length; i += 50) {
        await Promise.all(
          bodies.slice(i, i + 50).map(async (body, j) => {
            const toSse = (i + j) % 3 === 0;
            const res = await fetch(toSse ? `${server.url}/sse/messages?sessionId=${sseSession}` : `${server.url}/mcp`, {
              method: 'POST',
              headers: { ...MCP_HEADERS, Authorization: `Bearer ${token}`, ...((i + j) % 2 ? { 'Mcp-Session-Id': id } : {}) },
              body,
            });
            const type = res.headers.get('content-type') ?? '';
            const text = await res.text();
            const ok = type.includes('application/json')
              ? (() => {
                  try {
                    JSON.parse(text);
                    return true;
                  } catch {
                    return false;
                  }
                })()
              : res.status === 202 || type.includes('text/event-stream') || (toSse && res.status === 202);
            if (!ok || res.status >= 500) problems.push(`${res.status} ${type} ${text.slice(0, 80)} <- ${body.slice(0, 80)}`);
          }),
        );
      }
      await reader.cancel();
      expect(problems).toEqual([]);
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    }, 120_000);
  });

  describe('upstream faults', () => {
    it('retries idempotent reads on 5xx and network errors, with a clear error when it keeps failing', async () => {
      const server = await app({ UPSTREAM_RETRIES: '2', UPSTREAM_TIMEOUT_MS: '500' });
      const token = emulator.token('cust-1');
      emulator.addFault({ method: 'GET', path: '/connections', status: 503, times: 1 });
      emulator.addFault({ method: 'GET', path: '/actions', networkError: true, times: 1 });
      const { client } = await connectHttp(server.url, { token });
      clients.push(client);
      expect((await client.listTools()).tools.length).toBeGreaterThan(5);

      const other = emulator.token('cust-2');
      emulator.addFault({ method: 'GET', path: '/connections', status: 502, rawBody: '<html>Bad gateway</html>' });
      const { client: c2 } = await connectHttp(server.url, { token: other });
      clients.push(c2);
      await expect(c2.listTools()).rejects.toMatchObject({ code: -32003, message: expect.stringMatching(/Integration.app is unavailable.*HTTP 502/) });
      // Three attempts (1 + UPSTREAM_RETRIES), shared by the prefetch at initialize and tools/list
      // (single-flight; the failure is answered as is, not fetched a second time).
      expect(emulator.requests.filter((r) => r.path === '/connections' && r.token === other)).toHaveLength(3);
    }, 30_000);

    it('times out slow reads (UPSTREAM_TIMEOUT_MS) and slow actions (ACTION_TIMEOUT_MS), never retrying an action', async () => {
      const server = await app({ UPSTREAM_RETRIES: '1', UPSTREAM_TIMEOUT_MS: '300', ACTION_TIMEOUT_MS: '400' });
      const token = emulator.token('cust-1');
      const { client } = await connectHttp(server.url, { token });
      clients.push(client);
      await client.listTools();
      emulator.clearRequests();
      emulator.addFault({ method: 'POST', path: '/connections/conn-gmail/actions/list-emails', delayMs: 1500 });
      const result = await client.callTool({ name: 'gmail_list-emails', arguments: {} });
      expect(result.isError).toBe(true);
      expect((result.content as Text)[0].text).toMatch(/did not finish within 0 s|did not finish within 1 s/);
      expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(1);

      emulator.addFault({ method: 'GET', path: '/connections', delayMs: 1000 });
      const { client: c2 } = await connectHttp(server.url, { token: emulator.token('cust-2') });
      clients.push(c2);
      await expect(c2.listTools()).rejects.toMatchObject({ message: expect.stringContaining('in time') });
    }, 30_000);

    it('stays up and says so when Integration.app is unreachable', async () => {
      const server = await startApp({ INTEGRATION_APP_API_URL: 'http://127.0.0.1:9', INTEGRATION_APP_WORKSPACE_SECRET: SECRET, UPSTREAM_RETRIES: '0' });
      apps.push(server);
      const { client } = await connectHttp(server.url, { token: emulator.token('cust-1') });
      clients.push(client);
      await expect(client.listTools()).rejects.toMatchObject({ code: -32003, message: expect.stringContaining('unreachable') });
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    });

    it('tells the agent to reconnect a defunct connection, and refreshes the catalog when a connection is gone', async () => {
      const server = await app({ INTEGRATION_APP_WORKSPACE_SECRET: SECRET });
      const token = emulator.token('cust-1');
      const { client, transport } = await connectHttp(server.url, { token });
      clients.push(client);
      await client.listTools();
      emulator.addFault({
        method: 'POST',
        path: '/connections/conn-gmail/actions/get-profile',
        status: 400,
        body: { type: 'connection', key: 'connection_is_defunct', message: 'Token revoked' },
        times: 1,
      });
      const defunct = await client.callTool({ name: 'gmail_get-profile', arguments: {} });
      expect((defunct.content as Text)[0].text).toMatch(/Token revoked.*reconnect/);
      // The warning names the tool and the session it failed in (log lines are not bound to requests).
      expect(server.logs.lines.some((l) => l.includes(`Tool gmail_get-profile failed upstream in session ${transport.sessionId}: connection`))).toBe(true);
      emulator.addFault({
        method: 'POST',
        path: '/connections/conn-gmail/actions/get-profile',
        status: 404,
        body: { type: 'bad_request', key: 'not_found', message: 'Connection not found' },
        times: 1,
      });
      emulator.clearRequests();
      const gone = await client.callTool({ name: 'gmail_get-profile', arguments: {} });
      expect((gone.content as Text)[0].text).toContain('tools/list');
      await client.listTools();
      expect(emulator.requests.some((r) => r.path === '/connections')).toBe(true);
    });
  });

  describe('limits', () => {
    it('caps sessions with 503 + Retry-After', async () => {
      const server = await app({ INTEGRATION_APP_WORKSPACE_SECRET: SECRET, MAX_SESSIONS: '2' });
      const token = emulator.token('cust-1');
      await rawInitialize(server.url, token);
      await rawInitialize(server.url, token);
      const res = await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${token}` });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.json).toMatchObject({ error: { message: expect.stringContaining('session limit') } });
    });

    it('rate-limits each identity with 429 + Retry-After, leaving others alone', async () => {
      const server = await app({ INTEGRATION_APP_WORKSPACE_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '5' });
      const a = emulator.token('cust-1');
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await fetch(`${server.url}/mcp/sessions`, { headers: { Authorization: `Bearer ${a}` } })).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      const limited = await fetch(`${server.url}/mcp/sessions`, { headers: { Authorization: `Bearer ${a}` } });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await fetch(`${server.url}/mcp/sessions`, { headers: { Authorization: `Bearer ${emulator.token('cust-2')}` } })).status).toBe(200);
    });

    it('expires idle sessions and their chat mappings', async () => {
      const server = await app({ INTEGRATION_APP_WORKSPACE_SECRET: SECRET, SESSION_IDLE_TTL_SECONDS: '1' });
      const token = emulator.token('cust-ttl');
      const id = await rawInitialize(server.url, token, '', { 'x-chat-id': 'c' });
      // The point of the test: the 1 s idle TTL, counted from the session's last use (now at the latest), passes.
      await sleepUntil(Date.now() + 1050);
      const res = await rawPost(server.url, LIST, { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id });
      expect(res.status).toBe(404);
      expect(await (await fetch(`${server.url}/mcp/sessions`, { headers: { Authorization: `Bearer ${token}` } })).json()).toEqual({});
    });
  });

  describe('red-team findings (issue 10)', () => {
    const b64 = (json: string) => Buffer.from(json).toString('base64url');
    /** A token signed with the workspace secret, so only its header or claims can be wrong. */
    const signedRaw = (header: string, claims: object) => {
      const head = `${b64(header)}.${b64(JSON.stringify(claims))}`;
      return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
    };
    const errorLines = (a: RunningApp) => a.logs.lines.filter((l) => l.startsWith('error ') || l.includes('"level":50'));
    /** A tools/call whose arguments nest `levels` arrays (a ~2·levels-byte body). */
    const deepCall = (levels: number) =>
      `{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"gmail_count-unread","arguments":{"x":${'['.repeat(levels)}${']'.repeat(levels)}}}}`;

    it('answers unknown routes with a JSON 404 naming the method and path, never the query string', async () => {
      const server = await app({ LOG_LEVEL: 'info' });
      const token = emulator.token('cust-1');
      const [, payload, signature] = token.split('.');
      const expect404 = async (method: string, path: string, message: string) => {
        const res = await fetch(`${server.url}${path}`, { method });
        const text = await res.text();
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toContain('application/json');
        expect(JSON.parse(text)).toEqual({ statusCode: 404, error: 'Not Found', message });
        for (const part of [token, payload, signature]) expect(text).not.toContain(part);
      };
      await expect404('POST', `/nope?token=${token}`, 'Cannot POST /nope');
      await expect404('GET', `/nope/?a=1&token=${encodeURIComponent(token)}#x`, 'Cannot GET /nope/');
      await expect404('DELETE', `/health?token=${payload}.${signature}`, 'Cannot DELETE /health');
      // An unrouted method on an MCP path: a JSON-RPC body, the query string left out too.
      const put = await fetch(`${server.url}/mcp?token=${token}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(put.status).toBe(404);
      expect(await put.json()).toMatchObject({ jsonrpc: '2.0', error: { message: 'Cannot PUT /mcp' } });
      expect(server.logs.lines.filter((l) => l.includes(payload) || l.includes(signature))).toEqual([]);
      // A credential in the path itself is redacted from the message like any HttpException's.
      await expect404('GET', `/x/${token}`, 'Cannot GET /x/[redacted-jwt]');
    });

    it('checks the Origin on every spelling of the MCP paths Express routes', async () => {
      const server = await app({ INTEGRATION_APP_WORKSPACE_SECRET: SECRET, ALLOWED_ORIGINS: 'https://app.example.com' });
      const token = emulator.token('cust-1');
      const evil = { Authorization: `Bearer ${token}`, Origin: 'https://evil.example.com' };
      for (const path of ['/MCP', '/Mcp', '/mcp/', '/MCP/', '/mCp?x=1', '/SSE/messages?sessionId=x', '/Sse/Messages/?sessionId=x', '/MCP/sessions']) {
        const res = await rawPost(server.url, INIT_BODY, evil, path);
        expect([path, res.status]).toEqual([path, 403]);
        expect(JSON.stringify(res.json)).toContain('is not allowed');
      }
      for (const path of ['/SSE', '/sse/', '/MCP/sessions']) {
        const res = await fetch(`${server.url}${path}`, { headers: { ...evil, Accept: 'text/event-stream' } });
        expect([path, res.status]).toEqual([path, 403]);
      }
      expect(errorLines(server)).toEqual([]);
    });

    it('keeps the loopback-only Origin rule for HOST=127.1 (decided from the address it listens on)', async () => {
      const server = await startApp({ INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_SECRET: SECRET, HOST: '127.1' }, { host: '127.1' });
      apps.push(server);
      const token = emulator.token('cust-1');
      for (const [origin, status] of [
        ['http://evil.example', 403],
        ['http://localhost.evil.example:3000', 403],
        ['http://127.0.0.2:5173', 200],
        ['http://[::1]:6274', 200],
        ['http://localhost.', 200],
      ] as const) {
        for (const path of ['/MCP', '/mcp']) {
          const res = await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${token}`, Origin: origin }, path);
          expect([origin, path, res.status]).toEqual([origin, path, status]);
        }
      }
      expect((await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${token}` }, '/MCP')).status).toBe(200);
    });

    it('answers a malformed JWT header or claims with 401 invalid_token, never a 500', async () => {
      const server = await app({ INTEGRATION_APP_WORKSPACE_SECRET: SECRET });
      const claims = { id: 'cust-1', iss: WORKSPACE, exp: Math.floor(Date.now() / 1000) + 600 };
      const tokens = [
        ...['"constructor"', '"__proto__"', '"toString"', '"hasOwnProperty"', '256', '["HS256"]', '{"toString":"HS256"}', 'null'].map((alg) =>
          signedRaw(`{"alg":${alg},"typ":"JWT"}`, claims),
        ),
        signedRaw('{"__proto__":{"alg":"HS256"}}', claims),
        signedRaw('{"alg":"HS256"}', { ...claims, id: { toString: 'cust-1' } }),
        signedRaw('{"alg":"HS256"}', JSON.parse(`{"__proto__":{"id":"cust-1"},"iss":"${WORKSPACE}"}`) as object),
      ];
      for (const token of tokens) {
        const post = await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${token}` });
        const viaQuery = await rawPost(server.url, INIT_BODY, {}, `/mcp?token=${token}`);
        const sessions = await fetch(`${server.url}/mcp/sessions`, { headers: { Authorization: `Bearer ${token}` } });
        const sse = await fetch(`${server.url}/sse`, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } });
        for (const res of [post, viaQuery, sessions, sse]) {
          expect(res.status).toBe(401);
          expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
        }
        await sse.body?.cancel();
      }
      expect(errorLines(server)).toEqual([]);
    });

    it('refuses messages nested deeper than the limit with 400 / -32600 on /mcp and /sse/messages', async () => {
      const server = await app({ INTEGRATION_APP_WORKSPACE_SECRET: SECRET });
      const token = emulator.token('cust-1');
      const id = await rawInitialize(server.url, token);
      for (const levels of [100, 10_000, 100_000]) {
        const res = await rawPost(server.url, deepCall(levels), { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id });
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32600, message: expect.stringContaining('levels deep') } });
      }
      const ok = await rawPost(server.url, deepCall(10), { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id });
      expect(ok.status).toBe(200);

      const { sessionId, reader } = await openRawSse(server.url, token);
      try {
        const res = await rawPost(server.url, deepCall(10_000), { Authorization: `Bearer ${token}` }, `/sse/messages?sessionId=${sessionId}`);
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ error: { code: -32600, message: expect.stringContaining('levels deep') } });
      } finally {
        await reader.cancel();
      }
      expect(errorLines(server)).toEqual([]);
    });

    it('refuses a deeply nested legacy SSE message relayed between replicas over Redis with a 400, not a 500', async () => {
      const prefix = `e2e:${randomUUID()}:`;
      const env = { INTEGRATION_APP_WORKSPACE_SECRET: SECRET, REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix };
      const holder = await app(env);
      const other = await app(env);
      const token = emulator.token('cust-1');
      const { sessionId, reader } = await openRawSse(holder.url, token);
      try {
        const deep = await rawPost(other.url, deepCall(10_000), { Authorization: `Bearer ${token}` }, `/sse/messages?sessionId=${sessionId}`);
        expect(deep.status).toBe(400);
        expect(deep.json).toMatchObject({ error: { code: -32600, message: expect.stringContaining('levels deep') } });
        const fine = await rawPost(other.url, LIST, { Authorization: `Bearer ${token}` }, `/sse/messages?sessionId=${sessionId}`);
        expect(fine.status).toBe(202);
      } finally {
        await reader.cancel();
        const raw = new Redis(env.REDIS_URL);
        const keys = await raw.keys(`${prefix}*`);
        if (keys.length) await raw.del(...keys);
        await raw.quit();
      }
      expect([...errorLines(holder), ...errorLines(other)]).toEqual([]);
    });
  });
});
