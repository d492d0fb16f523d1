/**
 * Connecting the customer's next app from the conversation (SPEC §16): list-apps, connect-app, the
 * single-use link `GET /connect/<id>`, the emulated Integration.app connection page, and the app's
 * actions appearing (list_changed, search-actions), driven by the real MCP SDK client and plain HTTP.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { decodeJwt } from 'jose';
import { ConnectService } from '../src/connect/connect.service';
import { startEmulator, Emulator } from './emulator/emulator';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { startApp, RunningApp } from './support/app';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { openLink, pressConnect } from './support/connect-flow';
import { connectHttp, connectStateless } from './support/mcp-client';
import { testRedisUrl } from './support/redis-server';
import { waitFor } from './support/wait';

type Structured = Record<string, unknown>;

/** A server whose links lead to the emulator's connection page, with a quick watcher; one replica unless `extra` says otherwise. */
function connectEnv(emulator: Emulator, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    INTEGRATION_APP_API_URL: emulator.url,
    INTEGRATION_APP_UI_URL: emulator.url,
    INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
    INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE,
    CONNECT_WATCH_INTERVAL_MS: '200',
    REDIS_URL: undefined,
    ...extra,
  };
}

describe('Connecting an app from the conversation (session era, one replica)', () => {
  let emulator: Emulator;
  let app: RunningApp;
  const clients: Client[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    app = await startApp(connectEnv(emulator, { CONNECT_LINKS_PER_IDENTITY: '4', LOG_LEVEL: 'debug' }));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await app.close();
    await emulator.close();
  });

  async function client(customer: string, query: Record<string, string> = {}): Promise<Client> {
    const { client: c } = await connectHttp(app.url, { token: emulator.token(customer), query });
    clients.push(c);
    return c;
  }
  const call = async (c: Client, name: string, args: Record<string, unknown>) =>
    (await c.callTool({ name, arguments: args }, CallToolResultSchema)) as CallToolResult & { structuredContent?: Structured };
  const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

  it('lists list-apps and connect-app in search mode only (static and dynamic lists stay the actions)', async () => {
    const searching = (await (await client('cust-1', { mode: 'search' })).listTools()).tools.map((t) => t.name);
    expect(searching).toEqual(expect.arrayContaining(['list-apps', 'connect-app']));
    const statics = (await (await client('cust-1')).listTools()).tools.map((t) => t.name);
    expect(statics.filter((n) => !n.includes('_'))).toEqual([]);
    const dynamic = (await (await client('cust-1', { mode: 'dynamic' })).listTools()).tools.map((t) => t.name);
    expect(dynamic).not.toContain('list-apps');
    expect(dynamic).not.toContain('connect-app');
  });

  it("list-apps: the workspace's apps, connected first, with connectionId and action counts; read-only; query narrows", async () => {
    const c = await client('cust-1', { mode: 'search' });
    const tool = (await c.listTools()).tools.find((t) => t.name === 'list-apps')!;
    expect(tool.annotations).toMatchObject({ readOnlyHint: true });
    const listed = await call(c, 'list-apps', {});
    expect(listed.isError).toBeFalsy();
    const apps = listed.structuredContent!.apps as Array<Structured>;
    expect(apps.map((a) => [a.key, a.connected])).toEqual([
      ['gmail', true],
      ['slack', true],
      ['asana', false],
      ['jira', false],
      ['notion', false],
      ['warehouse', false],
    ]);
    expect(apps[0]).toEqual({ key: 'gmail', name: 'Gmail', connected: true, connectionId: 'conn-gmail', actions: 10 });
    expect(apps[1]).toMatchObject({ key: 'slack', connectionId: 'conn-slack-a', actions: 1 });
    expect(apps[2]).toEqual({ key: 'asana', name: 'Asana', connected: false });
    expect(((await call(c, 'list-apps', { query: 'AS' })).structuredContent!.apps as Structured[]).map((a) => a.key)).toEqual(['asana']);
    const none = await call(c, 'list-apps', { query: 'asanna' });
    expect(none.structuredContent!.apps).toEqual([]);
    expect(text(none)).toContain('Close matches: asana');
    const tooLong = await call(c, 'list-apps', { query: 'x'.repeat(101) });
    expect(tooLong).toMatchObject({ isError: true, structuredContent: { error: { type: 'invalid_arguments' } } });
  });

  it('connect-app → a single-use link → the connection page with a 15-minute customer token → the app’s actions appear (list_changed, search-actions, run-action)', async () => {
    const c = await client('cust-1', { mode: 'search' });
    let listChanged = 0;
    c.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
    // Before: Asana's actions are found, marked connected: false; running or describing one names connect-app.
    const before = (await call(c, 'search-actions', { query: 'create a task' })).structuredContent as { results: Array<Structured> };
    expect(before.results.find((r) => r.tool === 'asana_create-task')).toMatchObject({ integration: 'asana', connected: false });
    const notYet = await call(c, 'run-action', { tool: 'asana_create-task', arguments: { name: 'x' } });
    expect(notYet).toMatchObject({ isError: true, structuredContent: { error: { type: 'not_connected', app: 'asana', connectWith: 'connect-app' } } });
    expect(text(notYet)).toContain('connect-app');
    expect(text(notYet)).toContain('"app": "asana"');
    expect(await call(c, 'run-read-action', { tool: 'asana_list-projects' })).toMatchObject({
      isError: true,
      structuredContent: { error: { type: 'not_connected', app: 'asana' } },
    });
    const described = await call(c, 'describe-actions', { tools: ['asana_create-task'] });
    expect(described).toMatchObject({ isError: true, structuredContent: { tools: [], unknown: [{ name: 'asana_create-task', connectApp: 'asana' }] } });
    expect(text(described)).toContain('connect-app');
    expect(emulator.requests.some((r) => r.method === 'POST' && r.path.includes('/actions/create-task/run'))).toBe(false);

    const made = await call(c, 'connect-app', { app: 'Asana' });
    expect(made.isError).toBeFalsy();
    const { url, expiresAt, app: key } = made.structuredContent as { url: string; expiresAt: string; app: string };
    expect(key).toBe('asana');
    expect(url).toMatch(new RegExp(`^${app.url}/connect/[A-Za-z0-9_-]{32}$`));
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(590_000);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
    expect(text(made)).toContain(url);
    // The link carries no bearer credential: nothing of the caller's token, no JWT.
    const callerToken = emulator.token('cust-1');
    expect(url).not.toContain(callerToken.split('.')[1]);
    expect(url).not.toMatch(/eyJ/);

    const opened = await openLink(url);
    expect(opened.status).toBe(302);
    expect(opened.headers.get('cache-control')).toBe('no-store');
    expect(opened.headers.get('referrer-policy')).toBe('no-referrer');
    const location = new URL(opened.location!);
    expect(`${location.origin}${location.pathname}`).toBe(`${emulator.url}/embed/integrations/asana/connect`);
    const minted = location.searchParams.get('token')!;
    const claims = decodeJwt(minted);
    expect(claims).toMatchObject({ id: 'cust-1', iss: WORKSPACE, name: 'cust-1' });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(15 * 60);
    expect(claims.exp! * 1000 - Date.now()).toBeLessThanOrEqual(15 * 60 * 1000);

    // Single use: the second GET is 410 with a page that says so.
    const again = await openLink(url);
    expect(again.status).toBe(410);
    expect(again.text).toContain('already used');

    const pressed = await pressConnect(opened.location!);
    expect(pressed.text).toContain('Asana is connected');
    await waitFor('notifications/tools/list_changed', () => listChanged > 0, { timeoutMs: 10_000 });
    const after = (await call(c, 'search-actions', { query: 'create a task' })).structuredContent as { results: Array<Structured> };
    expect(after.results.find((r) => r.tool === 'asana_create-task')).toMatchObject({ integration: 'asana', connected: true });
    const ran = await call(c, 'run-action', { tool: 'asana_list-projects', arguments: {} });
    expect(ran.isError).toBeFalsy();
    expect((await call(c, 'run-action', { tool: 'asana_create-task', arguments: { name: 'x' } })).isError).toBeFalsy();
    const apps = (await call(c, 'list-apps', { query: 'asana' })).structuredContent!.apps as Structured[];
    expect(apps[0]).toMatchObject({ key: 'asana', connected: true, actions: 2 });
    // A static-mode session of the same customer sees the new tools too.
    expect((await (await client('cust-1')).listTools()).tools.map((t) => t.name)).toContain('asana_create-task');

    // No token and no link id in any log line.
    const logs = app.logs.lines.join('\n');
    expect(app.logs.lines.some((l) => l.includes('/connect/{id}'))).toBe(true);
    for (const secret of [minted, callerToken, url.split('/connect/')[1], minted.split('.')[2]]) expect(logs).not.toContain(secret);
  });

  it('an app already connected: says so, no link; addAnother gives a link for a second connection', async () => {
    const c = await client('cust-1', { mode: 'search' });
    const known = await call(c, 'connect-app', { app: 'gmail' });
    expect(known.isError).toBeFalsy();
    expect(known.structuredContent).toMatchObject({ app: 'gmail', connected: true, connectionId: 'conn-gmail' });
    expect(known.structuredContent!.url).toBeUndefined();
    expect(text(known)).toContain('already connected');
    const second = await call(c, 'connect-app', { app: 'gmail', addAnother: true });
    const opened = await openLink((second.structuredContent as { url: string }).url);
    expect(new URL(opened.location!).searchParams.get('allowMultipleConnections')).toBe('1');
  });

  it('bad input: unknown app → isError with close matches; bad argument types and lengths; bad link ids → 404 without a store lookup', async () => {
    const c = await client('cust-2', { mode: 'search' });
    const unknown = await call(c, 'connect-app', { app: 'asanaa' });
    expect(unknown).toMatchObject({ isError: true, structuredContent: { error: { type: 'unknown_app', suggestions: ['asana'] } } });
    expect(text(unknown)).toContain('Close matches: asana');
    for (const app of ['', '   ', 'x'.repeat(101), 42, null, ['asana']]) {
      const bad = await call(c, 'connect-app', { app });
      expect(bad).toMatchObject({ isError: true, structuredContent: { error: { type: 'invalid_arguments' } } });
    }
    expect(await call(c, 'connect-app', { app: 'asana', addAnother: 'yes' })).toMatchObject({ isError: true });
    const hostile = await call(c, 'connect-app', { app: '<script>alert(1)</script>' });
    expect(hostile).toMatchObject({ isError: true, structuredContent: { error: { type: 'unknown_app' } } });
    for (const id of ['abc', 'A'.repeat(32), 'A'.repeat(31) + '*', `${'A'.repeat(31)}%00`, 'x'.repeat(5000)]) {
      const res = await openLink(`${app.url}/connect/${id}`);
      expect([id.slice(0, 8), res.status]).toEqual([id.slice(0, 8), 404]);
      expect(res.text).toContain('does not exist');
    }
    // A malformed escape is the client's error (400), not a crash.
    expect((await openLink(`${app.url}/connect/${'A'.repeat(30)}%E0%A4%A`)).status).toBe(400);
  });

  it('link flooding is bounded per identity (CONNECT_LINKS_PER_IDENTITY); another customer is not affected; a used link frees its slot', async () => {
    const flooder = await client('cust-2', { mode: 'search' });
    const urls: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await call(flooder, 'connect-app', { app: 'jira' });
      expect(r.isError).toBeFalsy();
      urls.push((r.structuredContent as { url: string }).url);
    }
    const refused = await call(flooder, 'connect-app', { app: 'jira' });
    expect(refused).toMatchObject({ isError: true, structuredContent: { error: { type: 'rate_limited', limit: 4 } } });
    const other = await call(await client('cust-1', { mode: 'search' }), 'connect-app', { app: 'jira' });
    expect(other.isError).toBeFalsy();
    expect((await openLink(urls[0])).status).toBe(302);
    expect((await call(flooder, 'connect-app', { app: 'jira' })).isError).toBeFalsy();
  });

  it('one watcher per customer and app, however many of its links are opened', async () => {
    const service = app.app.get(ConnectService);
    const c = await client('cust-3', { mode: 'search' });
    const before = service.watching;
    for (let i = 0; i < 3; i++) {
      const made = await call(c, 'connect-app', { app: 'slack' });
      expect((await openLink((made.structuredContent as { url: string }).url)).status).toBe(302);
    }
    expect(service.watching - before).toBe(1);
  });

  it('a link of customer A never connects anything for customer B', async () => {
    const ada = await client('cust-1', { mode: 'search' });
    const grace = await client('cust-2', { mode: 'search' });
    const link = ((await call(ada, 'connect-app', { app: 'jira' })).structuredContent as { url: string }).url;
    // Grace opens Ada's link (pasted to her, or she is signed in elsewhere): it is Ada's flow.
    const opened = await openLink(link);
    expect(decodeJwt(new URL(opened.location!).searchParams.get('token')!).id).toBe('cust-1');
    await pressConnect(opened.location!);
    const graceApps = (await call(grace, 'list-apps', { query: 'jira' })).structuredContent!.apps as Structured[];
    expect(graceApps[0]).toMatchObject({ key: 'jira', connected: false });
    const adaApps = (await call(ada, 'list-apps', { query: 'jira' })).structuredContent!.apps as Structured[];
    expect(adaApps[0]).toMatchObject({ key: 'jira', connected: true });
    expect(emulator.fixture.workspaces[0].customers.find((c) => c.id === 'cust-2')!.connections.map((c) => c.integrationKey)).toEqual(['notion']);
  });
});

describe('Connecting an app: two replicas on one Redis, both protocol eras', () => {
  let emulator: Emulator;
  let a: RunningApp;
  let b: RunningApp;
  const prefix = `e2e:${randomUUID()}:`;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    const env = connectEnv(emulator, { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, CATALOG_TTL_SECONDS: '600' });
    a = await startApp(env);
    b = await startApp(env);
  });
  afterAll(async () => {
    await Promise.all(closers.map((c) => c().catch(() => undefined)));
    await Promise.all([a.close(), b.close()]);
    const raw = new Redis(testRedisUrl());
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
    await emulator.close();
  });

  const structured = (r: unknown) => (r as { structuredContent: Record<string, unknown> }).structuredContent;
  /** Whether a search result of that tool says connected (undefined: not found). */
  const connectedOf = (r: unknown, tool: string) =>
    (structured(r).results as Array<{ tool: string; connected: boolean }>).find((x) => x.tool === tool)?.connected;

  it('session era: a link made on replica A is served by replica B; the session on A hears list_changed; both replicas list the new tools at once', async () => {
    const token = emulator.token('cust-1');
    const { client: onA } = await connectHttp(a.url, { token, query: { mode: 'search' } });
    closers.push(() => onA.close());
    let listChanged = 0;
    onA.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
    // Both replicas hold the customer's catalog (CATALOG_TTL_SECONDS=600): without the refresh, Asana would stay unknown.
    const v2OnB = (await connectStateless(b.url, { token, query: { mode: 'search' } })).client;
    closers.push(() => v2OnB.close());
    expect(connectedOf(await v2OnB.callTool({ name: 'search-actions', arguments: { query: 'create a task' } }), 'asana_create-task')).toBe(false);
    expect(connectedOf(await onA.callTool({ name: 'search-actions', arguments: { query: 'create a task' } }), 'asana_create-task')).toBe(false);

    const { url } = structured(await onA.callTool({ name: 'connect-app', arguments: { app: 'asana' } })) as { url: string };
    expect(url.startsWith(`${a.url}/connect/`)).toBe(true);
    const onReplicaB = url.replace(a.url, b.url);
    const opened = await openLink(onReplicaB);
    expect(opened.status).toBe(302);
    expect((await openLink(url)).status).toBe(410);
    await pressConnect(opened.location!);

    await waitFor('list_changed on the session held by replica A', () => listChanged > 0, { timeoutMs: 10_000 });
    expect(connectedOf(await onA.callTool({ name: 'search-actions', arguments: { query: 'create a task' } }), 'asana_create-task')).toBe(true);
    expect(connectedOf(await v2OnB.callTool({ name: 'search-actions', arguments: { query: 'create a task' } }), 'asana_create-task')).toBe(true);
  });

  it('2026-07-28 (stateless, SDK v2 client): list-apps and connect-app, the link works on either replica, the tools appear without a session', async () => {
    const token = emulator.token('cust-2');
    const v2 = (await connectStateless(b.url, { token, query: { mode: 'search' } })).client;
    closers.push(() => v2.close());
    const names = (await v2.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['list-apps', 'connect-app']));
    const apps = structured(await v2.callTool({ name: 'list-apps', arguments: {} })).apps as Array<{ key: string; connected: boolean }>;
    expect(apps[0]).toMatchObject({ key: 'notion', connected: true });
    expect(apps.find((x) => x.key === 'slack')).toMatchObject({ connected: false });
    expect(connectedOf(await v2.callTool({ name: 'search-actions', arguments: { query: 'send a message' } }), 'slack_send-message')).toBe(false);
    const notYet = await v2.callTool({ name: 'run-action', arguments: { tool: 'slack_send-message', arguments: { channel: 'general', text: 'hi' } } });
    expect(notYet).toMatchObject({ isError: true, structuredContent: { error: { type: 'not_connected', app: 'slack', connectWith: 'connect-app' } } });
    const made = await v2.callTool({ name: 'connect-app', arguments: { app: 'slack' } });
    expect(made.isError).toBeFalsy();
    const { url } = structured(made) as { url: string };
    expect(url.startsWith(`${b.url}/connect/`)).toBe(true);
    const opened = await openLink(url.replace(b.url, a.url));
    expect(decodeJwt(new URL(opened.location!).searchParams.get('token')!).id).toBe('cust-2');
    await pressConnect(opened.location!);
    await waitFor(
      'slack actions for the stateless client',
      async () => connectedOf(await v2.callTool({ name: 'search-actions', arguments: { query: 'send a message' } }), 'slack_send-message') === true,
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(
      (await v2.callTool({ name: 'run-action', arguments: { tool: 'slack_send-message', arguments: { channel: 'general', text: 'hi' } } })).isError,
    ).toBeFalsy();
  });
});

describe('Connecting an app: CONNECT_TOOLS and a server without the workspace secret', () => {
  let emulator: Emulator;
  const apps: RunningApp[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all(apps.map((x) => x.close()));
    await emulator.close();
  });

  async function server(env: Record<string, string | undefined>): Promise<RunningApp> {
    const started = await startApp(connectEnv(emulator, env));
    apps.push(started);
    return started;
  }
  async function names(base: string, query: Record<string, string>): Promise<string[]> {
    const { client } = await connectHttp(base, { token: emulator.token('cust-1'), query });
    clients.push(client);
    return (await client.listTools()).tools.map((t) => t.name);
  }

  it('CONNECT_TOOLS=all lists them in static and dynamic mode too (both eras); CONNECT_TOOLS=none in no mode', async () => {
    const all = await server({ INTEGRATION_APP_WORKSPACE_SECRET: SECRET, CONNECT_TOOLS: 'all' });
    for (const mode of ['static', 'dynamic', 'search']) expect(await names(all.url, { mode })).toEqual(expect.arrayContaining(['list-apps', 'connect-app']));
    const v2 = (await connectStateless(all.url, { token: emulator.token('cust-1') })).client;
    expect((await v2.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(['list-apps', 'connect-app', 'gmail_send-email']));
    await v2.close();
    const none = await server({ INTEGRATION_APP_WORKSPACE_SECRET: SECRET, CONNECT_TOOLS: 'none' });
    for (const mode of ['static', 'dynamic', 'search']) {
      const listed = await names(none.url, { mode });
      expect(listed).not.toContain('list-apps');
      expect(listed).not.toContain('connect-app');
    }
    const { client } = await connectHttp(none.url, { token: emulator.token('cust-1'), query: { mode: 'search' } });
    clients.push(client);
    await expect(client.callTool({ name: 'connect-app', arguments: { app: 'asana' } })).rejects.toThrow(/Unknown tool/);
  });

  it('tenant policy: a read-only session (X-MCP-Readonly) or READ_ONLY refuses connect-app; TOOLS_DENY / X-MCP-Exclude-Tools deny either tool by name', async () => {
    const open = await server({});
    const readOnly = await connectHttp(open.url, { token: emulator.token('cust-1'), query: { mode: 'search' }, headers: { 'X-MCP-Readonly': 'true' } });
    clients.push(readOnly.client);
    expect(await readOnly.client.callTool({ name: 'connect-app', arguments: { app: 'asana' } })).toMatchObject({
      isError: true,
      structuredContent: { error: { type: 'forbidden' } },
    });
    expect((await readOnly.client.callTool({ name: 'list-apps', arguments: {} })).isError).toBeFalsy();
    const excluding = await connectHttp(open.url, {
      token: emulator.token('cust-1'),
      query: { mode: 'search' },
      headers: { 'X-MCP-Exclude-Tools': 'list-apps' },
    });
    clients.push(excluding.client);
    expect((await excluding.client.callTool({ name: 'list-apps', arguments: {} })).isError).toBe(true);
    const operator = await server({ READ_ONLY: 'true' });
    const { client } = await connectHttp(operator.url, { token: emulator.token('cust-1'), query: { mode: 'search' } });
    clients.push(client);
    expect((await client.callTool({ name: 'connect-app', arguments: { app: 'asana' } })).isError).toBe(true);
  });

  it('with Redis down: connect-app is an isError to retry, GET /connect/<id> a 503 page; the process stays up', async () => {
    const down = await server({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_READY_TIMEOUT_MS: '300' });
    const v2 = (await connectStateless(down.url, { token: emulator.token('cust-1'), query: { mode: 'search' } })).client;
    try {
      const refused = await v2.callTool({ name: 'connect-app', arguments: { app: 'asana' } });
      expect(refused).toMatchObject({ isError: true, structuredContent: { error: { type: 'unavailable' } } });
      const page = await openLink(`${down.url}/connect/${'A'.repeat(32)}`);
      expect(page.status).toBe(503);
      expect(page.text).toContain('Try again');
      expect((await fetch(`${down.url}/health/live`)).status).toBe(200);
    } finally {
      await v2.close();
    }
  });

  it('without INTEGRATION_APP_WORKSPACE_SECRET: list-apps works, connect-app is an isError that names the setting (no link, no token of the caller in a URL)', async () => {
    const bare = await server({ INTEGRATION_APP_WORKSPACE_SECRET: undefined });
    const { client } = await connectHttp(bare.url, { token: emulator.token('cust-1'), query: { mode: 'search' } });
    clients.push(client);
    expect((await client.callTool({ name: 'list-apps', arguments: {} })).isError).toBeFalsy();
    const refused = await client.callTool({ name: 'connect-app', arguments: { app: 'asana' } });
    expect(refused).toMatchObject({ isError: true, structuredContent: { error: { type: 'not_configured' } } });
    expect((refused.content as Array<{ text: string }>)[0].text).toContain('INTEGRATION_APP_WORKSPACE_SECRET');
  });

  it('PUBLIC_URL: the link is on the public URL, not on the address the request came to', async () => {
    const behind = await server({ INTEGRATION_APP_WORKSPACE_SECRET: SECRET, PUBLIC_URL: 'https://mcp.example.com/' });
    const { client } = await connectHttp(behind.url, { token: emulator.token('cust-1'), query: { mode: 'search' } });
    clients.push(client);
    const made = await client.callTool({ name: 'connect-app', arguments: { app: 'jira' } });
    const url = (made.structuredContent as { url: string }).url;
    expect(url).toMatch(/^https:\/\/mcp\.example\.com\/connect\/[A-Za-z0-9_-]{32}$/);
    // The path works on any address of the server.
    expect((await openLink(`${behind.url}${new URL(url).pathname}`)).status).toBe(302);
  });
});

describe('Connecting an app: URL elicitation where the client declares it', () => {
  let emulator: Emulator;
  let app: RunningApp;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    app = await startApp(connectEnv(emulator));
  });
  afterAll(async () => {
    await Promise.all(closers.map((c) => c().catch(() => undefined)));
    await app.close();
    await emulator.close();
  });

  it('2025-11-25 session: elicitation/create with mode "url" on the call’s stream, and the link in the result too; the client’s answer is accepted', async () => {
    const { Client: V1Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const { ElicitRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
    const client = new V1Client({ name: 'eliciting', version: '1.0.0' }, { capabilities: { elicitation: { url: {} } } });
    const asked: Array<Record<string, unknown>> = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params as Record<string, unknown>);
      return { action: 'accept' };
    });
    const transport = new StreamableHTTPClientTransport(new URL(`${app.url}/mcp?mode=search`), {
      requestInit: { headers: { Authorization: `Bearer ${emulator.token('cust-1')}` } },
    });
    await client.connect(transport);
    closers.push(() => client.close());
    const made = await client.callTool({ name: 'connect-app', arguments: { app: 'jira' } });
    const url = (made.structuredContent as { url: string }).url;
    expect(url).toMatch(/\/connect\/[A-Za-z0-9_-]{32}$/);
    await waitFor('the URL elicitation', () => asked.length === 1);
    expect(asked[0]).toMatchObject({ mode: 'url', url, message: expect.stringContaining('Jira') });
    expect(asked[0].elicitationId).toEqual(expect.any(String));
    // The session goes on (the answer was posted back and accepted).
    expect((await client.callTool({ name: 'list-apps', arguments: {} })).isError).toBeFalsy();

    // A client without the capability gets no elicitation: the link is in the result only.
    const { client: plain } = await connectHttp(app.url, { token: emulator.token('cust-1'), query: { mode: 'search' } });
    closers.push(() => plain.close());
    const plainMade = await plain.callTool({ name: 'connect-app', arguments: { app: 'jira' } });
    expect((plainMade.structuredContent as { url: string }).url).toMatch(/\/connect\//);
  });

  it('2026-07-28 (SDK v2 client): an input_required result carrying the URL elicitation; the retry returns the same link (one link made)', async () => {
    const v2 = await import('@modelcontextprotocol/client');
    const client = new v2.Client(
      { name: 'eliciting-v2', version: '1.0.0' },
      { capabilities: { elicitation: { url: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    const asked: Array<Record<string, unknown>> = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params as unknown as Record<string, unknown>);
      return { action: 'accept' };
    });
    await client.connect(
      new v2.StreamableHTTPClientTransport(new URL(`${app.url}/mcp?mode=search`), {
        requestInit: { headers: { Authorization: `Bearer ${emulator.token('cust-2')}` } },
      }),
    );
    closers.push(() => client.close());
    const made = await client.callTool({ name: 'connect-app', arguments: { app: 'asana' } });
    const url = (made.structuredContent as { url: string }).url;
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ mode: 'url', url });
    expect((made.content as Array<{ text: string }>)[0].text).toContain(url);
    // The link was made once (the retry did not make another): it opens, once.
    expect((await openLink(url)).status).toBe(302);

    // On the wire: the first round is an input_required result embedding elicitation/create (mode url).
    const raw = (extra: Record<string, unknown>) =>
      fetch(`${app.url}/mcp?mode=search`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          Authorization: `Bearer ${emulator.token('cust-2')}`,
          'MCP-Protocol-Version': '2026-07-28',
          'Mcp-Method': 'tools/call',
          'Mcp-Name': 'connect-app',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: {
            name: 'connect-app',
            arguments: { app: 'asana' },
            ...extra,
            _meta: {
              'io.modelcontextprotocol/protocolVersion': '2026-07-28',
              'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
              'io.modelcontextprotocol/clientCapabilities': { elicitation: { url: {} } },
            },
          },
        }),
      });
    const first = (await (await raw({})).json()) as { result: Record<string, unknown> };
    expect(first.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: { open_url: { method: 'elicitation/create', params: { mode: 'url', url: expect.stringMatching(/\/connect\//) } } },
      requestState: expect.any(String),
    });
    // A tampered requestState is refused (-32602), never trusted.
    const tampered = await raw({ inputResponses: { open_url: { action: 'accept' } }, requestState: 'v1.eyJwIjp7InJlc3VsdCI6e319fQ.AAAA' });
    const body = (await tampered.json()) as { error?: { code: number } };
    expect(body.error?.code).toBe(-32602);
  });
});
