/**
 * Both protocol eras on one `/mcp` (SPEC §11): the MCP SDK v2 client pinned to 2026-07-28 and the
 * v1 client (session era) against the same URL, in static, dynamic and search mode, on two
 * replicas sharing Redis; the 2026 revision's own rules and bad-input answers, raw.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import Redis from 'ioredis';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { connectHttp, connectStateless, rawPost, STATELESS_META, STATELESS_REVISION, statelessPost } from './support/mcp-client';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { testRedisUrl } from './support/redis-server';

type V2Client = Awaited<ReturnType<typeof connectStateless>>['client'];

describe('Protocol eras on one /mcp: 2026-07-28 (stateless) beside the session era', () => {
  let emulator: Emulator;
  let a: RunningApp;
  let b: RunningApp;
  let token: string;
  let redis: Redis;
  const prefix = `e2e:${randomUUID()}:`;
  const v1Clients: Client[] = [];
  const v2Clients: V2Client[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    const env = {
      INTEGRATION_APP_API_URL: emulator.url,
      INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
      INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE,
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      CATALOG_TTL_SECONDS: '120',
      RATE_LIMIT_PER_MINUTE: '600',
    };
    a = await startApp(env);
    b = await startApp(env);
    token = emulator.token('cust-1');
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    await Promise.all([...v1Clients, ...v2Clients].map((c) => c.close().catch(() => undefined)));
    await Promise.all([a.close(), b.close()]);
    await redis.quit();
    await emulator.close();
  });
  beforeEach(() => emulator.clearFaults());

  async function v2(base: string, query: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<V2Client> {
    const { client } = await connectStateless(base, { token, query, headers });
    v2Clients.push(client);
    return client;
  }
  async function v1(base: string, query: Record<string, string> = {}): Promise<Client> {
    const { client } = await connectHttp(base, { token, query });
    v1Clients.push(client);
    return client;
  }
  const names = (tools: Array<{ name: string }>) => tools.map((t) => t.name);
  // Rate-limit counters (`rl:`) are cluster-wide on purpose; sessions, chats and events must not appear.
  const storedKeys = async () => (await redis.keys(`${prefix}*`)).filter((k) => !k.startsWith(`${prefix}rl:`)).length;

  it('serves a v2 client pinned to 2026-07-28 and a v1 client on the same URL: same tools, same results, and the stateless one stores nothing', async () => {
    const before = await storedKeys();
    const modern = await v2(a.url);
    expect(modern.getServerVersion()?.name).toBe('integration-app-mcp-server');
    const modernTools = (await modern.listTools()).tools;
    const modernCall = await modern.callTool({ name: 'gmail_list-labels', arguments: {} });
    expect(await storedKeys()).toBe(before);

    const legacy = await v1(a.url);
    const legacyTools = (await legacy.listTools()).tools;
    const legacyCall = await legacy.callTool({ name: 'gmail_list-labels', arguments: {} });

    expect(names(modernTools)).toEqual(names(legacyTools));
    expect(names(modernTools)).toEqual([...names(modernTools)].sort());
    expect(names(modernTools)).toContain('slack_send-message');
    expect(modernCall.structuredContent).toEqual(legacyCall.structuredContent);
    expect(modernCall.content).toEqual(legacyCall.content);
  });

  it('any replica answers any request of a stateless conversation (no session to share)', async () => {
    const onA = await v2(a.url);
    const onB = await v2(b.url);
    expect(names((await onA.listTools()).tools)).toEqual(names((await onB.listTools()).tools));
    const sent = await onB.callTool({ name: 'slack_send-message', arguments: { channel: '#ops', text: 'hi', connectionId: 'conn-slack-b' } });
    expect(sent.isError).toBeFalsy();
    const run = emulator.requests.find((r) => r.path === '/connections/conn-slack-b/actions/send-message/run');
    expect(run?.body).toMatchObject({ channel: '#ops', text: 'hi' });
  });

  it('answers server/discover with the revision, the tools capability without listChanged, and per-mode instructions', async () => {
    const res = await statelessPost(a.url, 'server/discover', {}, { Authorization: `Bearer ${token}` }, '/mcp?mode=search');
    expect(res.status).toBe(200);
    const result = (res.json as { result: Record<string, unknown> }).result;
    expect(result).toMatchObject({ supportedVersions: [STATELESS_REVISION], capabilities: { tools: {} }, resultType: 'complete' });
    expect((result.capabilities as { tools: Record<string, unknown> }).tools.listChanged).toBeFalsy();
    expect(result.instructions).toContain('search-actions');
  });

  it('marks tools/list cacheable for the catalog TTL, privately, and lists deterministically', async () => {
    const first = await statelessPost(a.url, 'tools/list', {}, { Authorization: `Bearer ${token}` });
    const second = await statelessPost(b.url, 'tools/list', {}, { Authorization: `Bearer ${token}` });
    const result = (first.json as { result: Record<string, unknown> }).result;
    expect(result).toMatchObject({ resultType: 'complete', ttlMs: 120_000, cacheScope: 'private' });
    expect((second.json as { result: unknown }).result).toEqual(result);
  });

  it('search mode and dynamic mode both list the four discovery tools in the 2026 era; run-action runs like a direct call', async () => {
    const search = await v2(a.url, { mode: 'search' });
    const dynamic = await v2(b.url, { mode: 'dynamic' });
    // Search mode's tools: the four discovery tools, the connect tools (SPEC §16) and get-action-result (§18).
    const expected = ['connect-app', 'describe-actions', 'get-action-result', 'list-apps', 'run-action', 'run-read-action', 'search-actions'];
    expect(names((await search.listTools()).tools).sort()).toEqual(expected);
    expect(names((await dynamic.listTools()).tools).sort()).toEqual(expected);
    const found = await dynamic.callTool({ name: 'search-actions', arguments: { query: 'send an email' } });
    expect((found.structuredContent as { results: Array<{ tool: string }> }).results[0].tool).toBe('gmail_send-email');
    const viaRun = await search.callTool({ name: 'run-action', arguments: { tool: 'gmail_list-labels' } });
    const direct = await (await v2(a.url)).callTool({ name: 'gmail_list-labels', arguments: {} });
    // The run tools add `{ output }` for a non-object output (their outputSchema); the rest is the direct call's.
    expect(viaRun).toMatchObject({ content: direct.content, structuredContent: { output: ['inbox', 'work'] } });
    const refused = await search.callTool({ name: 'run-read-action', arguments: { tool: 'gmail_delete-email', arguments: { id: '1' } } });
    expect(refused.isError).toBe(true);
    expect(emulator.requests.some((r) => r.path.includes('delete-email'))).toBe(false);
    // The v1 client (session era, on the other replica) gets the same search list, and enable-tools in dynamic mode.
    expect(names((await (await v1(b.url, { mode: 'search' })).listTools()).tools).sort()).toEqual(expected);
    expect(names((await (await v1(a.url, { mode: 'dynamic' })).listTools()).tools)).toContain('enable-tools');
  });

  it('applies apps and tenant policy from each request', async () => {
    const slackOnly = await v2(a.url, { apps: 'slack' });
    expect(names((await slackOnly.listTools()).tools)).toEqual(['slack_send-message']);
    const readOnly = await v2(a.url, {}, { 'X-MCP-Readonly': 'true' });
    const listed = names((await readOnly.listTools()).tools);
    expect(listed).toContain('gmail_list-labels');
    expect(listed).not.toContain('gmail_send-email');
    await expect(readOnly.callTool({ name: 'gmail_send-email', arguments: { to: ['a@b.co'], body: 'x' } })).rejects.toMatchObject({ code: -32602 });
  });

  it('answers an unknown tool with -32602 and close names, an upstream failure as a tool error', async () => {
    const c = await v2(a.url);
    await expect(c.callTool({ name: 'gmail_send-emial', arguments: {} })).rejects.toThrow(/gmail_send-email/);
    const failed = await c.callTool({ name: 'gmail_fail-action', arguments: {} });
    expect(failed.isError).toBe(true);
  });

  it('cancels the upstream run when the client closes the response', async () => {
    const path = '/connections/conn-gmail/actions/list-emails/run';
    const remove = emulator.addFault({ method: 'POST', path, delayMs: 5000 });
    emulator.clearRequests();
    try {
      const ac = new AbortController();
      const call = fetch(`${a.url}/mcp`, {
        method: 'POST',
        signal: ac.signal,
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          Authorization: `Bearer ${token}`,
          'MCP-Protocol-Version': STATELESS_REVISION,
          'Mcp-Method': 'tools/call',
          'Mcp-Name': 'gmail_list-emails',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'gmail_list-emails', arguments: {}, _meta: STATELESS_META } }),
      }).catch(() => 'aborted');
      const deadline = Date.now() + 3000;
      while (!emulator.requests.some((r) => r.path === path) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      ac.abort();
      expect(await call).toBe('aborted');
      const abandoned = Date.now() + 3000;
      while (emulator.requests.find((r) => r.path === path)?.abandoned !== true && Date.now() < abandoned) await new Promise((r) => setTimeout(r, 20));
      expect(emulator.requests.find((r) => r.path === path)?.abandoned).toBe(true);
    } finally {
      remove();
    }
  });

  describe('bad input, by the 2026-07-28 rules', () => {
    const auth = () => ({ Authorization: `Bearer ${token}` });

    it('needs a token like the session era (401 with WWW-Authenticate)', async () => {
      const res = await statelessPost(a.url, 'tools/list');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const expired = await statelessPost(a.url, 'tools/list', {}, { Authorization: `Bearer ${emulator.token('cust-1', { expiresInSeconds: -60 })}` });
      expect(expired.status).toBe(401);
    });

    it('refuses a request whose MCP-Protocol-Version header names 2026-07-28 but whose body has no _meta (400, -32602)', async () => {
      const res = await rawPost(
        a.url,
        { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
        { ...auth(), 'MCP-Protocol-Version': STATELESS_REVISION, 'Mcp-Method': 'tools/list' },
      );
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: { code: -32602 } });
    });

    it('refuses headers that disagree with the body (400, HeaderMismatch)', async () => {
      const method = await statelessPost(a.url, 'tools/list', {}, { ...auth(), 'Mcp-Method': 'tools/call' });
      expect(method.status).toBe(400);
      expect(method.json).toMatchObject({ error: { code: -32020 } });
      const name = await statelessPost(a.url, 'tools/call', { name: 'gmail_list-labels', arguments: {} }, { ...auth(), 'Mcp-Name': 'gmail_send-email' });
      expect(name.status).toBe(400);
      expect(name.json).toMatchObject({ error: { code: -32020 } });
    });

    it('answers an unsupported version with 400 and the supported list', async () => {
      const res = await rawPost(
        a.url,
        { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { ...STATELESS_META, 'io.modelcontextprotocol/protocolVersion': '2031-01-01' } } },
        { ...auth(), 'MCP-Protocol-Version': '2031-01-01', 'Mcp-Method': 'tools/list' },
      );
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: { data: { supported: [STATELESS_REVISION] } } });
    });

    it('answers an unknown method with 404/-32601, and GET or DELETE with 405', async () => {
      const unknown = await statelessPost(a.url, 'resources/list', {}, auth());
      expect(unknown.status).toBe(404);
      expect(unknown.json).toMatchObject({ error: { code: -32601 } });
      for (const method of ['GET', 'DELETE']) {
        const res = await fetch(`${a.url}/mcp`, { method, headers: { ...auth(), Accept: 'text/event-stream', 'MCP-Protocol-Version': STATELESS_REVISION } });
        expect(res.status).toBe(405);
      }
    });

    it('keeps the session era answers for session-era requests (a GET without a session is 400, not 405)', async () => {
      const res = await fetch(`${a.url}/mcp`, { headers: { ...auth(), Accept: 'text/event-stream' } });
      expect(res.status).toBe(400);
    });

    it("checks the run tools' Mcp-Param-Tool header against the body (SEP-2243: 400, -32020)", async () => {
      const search = { ...auth() };
      const args = { name: 'run-action', arguments: { tool: 'gmail_list-labels' } };
      const missing = await statelessPost(a.url, 'tools/call', args, search, '/mcp?mode=search');
      expect(missing.status).toBe(400);
      expect(missing.json).toMatchObject({ error: { code: -32020 } });
      const wrong = await statelessPost(a.url, 'tools/call', args, { ...search, 'Mcp-Param-Tool': 'gmail_send-email' }, '/mcp?mode=search');
      expect(wrong.status).toBe(400);
      expect(wrong.json).toMatchObject({ error: { code: -32020 } });
      const right = await statelessPost(a.url, 'tools/call', args, { ...search, 'Mcp-Param-Tool': 'gmail_list-labels' }, '/mcp?mode=search');
      expect(right.status).toBe(200);
      expect(right.json).toMatchObject({ result: { structuredContent: { output: ['inbox', 'work'] } } });
    });

    it('validates tool arguments like a direct session-era call', async () => {
      const res = await statelessPost(a.url, 'tools/call', { name: 'gmail_send-email', arguments: { body: 'no recipients' } }, auth());
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.json)).toMatch(/to/);
      expect((res.json as { result?: { isError?: boolean }; error?: unknown }).result?.isError ?? (res.json as { error?: unknown }).error).toBeTruthy();
    });

    it('lets browsers send the 2026 headers (CORS)', async () => {
      const res = await fetch(`${a.url}/mcp`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://localhost:6274',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'mcp-method, mcp-name, mcp-param-tool',
        },
      });
      const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      for (const h of ['mcp-method', 'mcp-name', 'mcp-protocol-version', 'mcp-param-tool']) expect(allowed).toContain(h);
    });
  });
});
