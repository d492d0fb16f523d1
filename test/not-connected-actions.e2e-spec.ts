/**
 * search-actions shows actions of workspace apps the customer has not connected (`connected: false`,
 * SPEC §16); running one names connect-app. Policy, CONNECT_TOOLS and modes; bounded fetch and memory
 * with many apps and many tenants; a tenant never makes the server read another workspace; connect-app
 * links issued and opened are audited. Driven by the real MCP SDK clients against the emulator.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  NotConnectedActionsService,
  MAX_NOT_CONNECTED_ACTIONS,
  MAX_NOT_CONNECTED_APPS,
  NOT_CONNECTED_FETCH_CONCURRENCY,
} from '../src/connect/not-connected-actions.service';
import type { Fixture } from './emulator/fixture.types';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { openLink } from './support/connect-flow';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { connectHttp, connectStateless } from './support/mcp-client';
import { waitFor } from './support/wait';

type Result = { tool: string; integration: string; connected: boolean; score: number };
const resultsOf = (r: unknown) => (r as { structuredContent: { results: Result[] } }).structuredContent.results;

function env(emulator: Emulator, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    INTEGRATION_APP_API_URL: emulator.url,
    INTEGRATION_APP_UI_URL: emulator.url,
    INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
    INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE,
    REDIS_URL: undefined,
    ...extra,
  };
}

describe('search-actions: actions of apps not connected yet', () => {
  let emulator: Emulator;
  const apps: RunningApp[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all(apps.map((a) => a.close()));
    await emulator.close();
  });

  async function server(extra: Record<string, string | undefined> = {}): Promise<RunningApp> {
    const started = await startApp(env(emulator, extra));
    apps.push(started);
    return started;
  }
  async function client(app: RunningApp, customer: string, query: Record<string, string> = { mode: 'search' }, headers?: Record<string, string>) {
    const { client: c } = await connectHttp(app.url, { token: emulator.token(customer), query, headers });
    clients.push(c);
    return c;
  }
  const search = async (c: Client, query: string, extra: Record<string, unknown> = {}) =>
    resultsOf(await c.callTool({ name: 'search-actions', arguments: { query, ...extra } }));

  it('marks connected and not-connected actions; an equally good connected action ranks first; both eras', async () => {
    const app = await server();
    const c = await client(app, 'cust-1');
    const results = await search(c, 'create a task');
    expect(results.find((r) => r.tool === 'asana_create-task')).toMatchObject({ integration: 'asana', connected: false });
    expect(results.filter((r) => r.integration === 'gmail' || r.integration === 'slack').every((r) => r.connected)).toBe(true);
    // "send an email": Gmail (connected) and nothing better elsewhere: the connected one is first.
    expect((await search(c, 'send an email'))[0]).toMatchObject({ tool: 'gmail_send-email', connected: true, score: 1 });
    const v2 = (await connectStateless(app.url, { token: emulator.token('cust-1'), query: { mode: 'search' } })).client;
    try {
      const stateless = resultsOf(await v2.callTool({ name: 'search-actions', arguments: { query: 'create a task' } }));
      expect(stateless.find((r) => r.tool === 'asana_create-task')).toMatchObject({ connected: false });
    } finally {
      await v2.close();
    }
  });

  it('lazy: tools/list and a call of a known tool read no integration or action list of apps not connected', async () => {
    const app = await server();
    emulator.clearRequests();
    const c = await client(app, 'cust-2');
    await c.listTools();
    await c.callTool({ name: 'run-read-action', arguments: { tool: 'notion_search', arguments: {} } });
    expect(emulator.requests.filter((r) => r.path === '/integrations')).toEqual([]);
    expect(emulator.requests.filter((r) => r.path === '/actions' && r.query.integrationId)).toEqual([]);
    await search(c, 'create a task');
    expect(emulator.requests.filter((r) => r.path === '/integrations')).toHaveLength(1);
    // Cached: the next searches ask nothing more.
    const before = emulator.requests.length;
    await search(c, 'send a message');
    await search(c, 'list projects');
    expect(emulator.requests.length).toBe(before);
  });

  it('policy applies: a denied app or tool, a read-only session, ?apps= — absent from search, and naming one is the unknown-action error', async () => {
    const app = await server();
    const excluding = await client(app, 'cust-1', { mode: 'search' }, { 'X-MCP-Exclude-Tools': 'asana' });
    expect((await search(excluding, 'create a task')).map((r) => r.integration)).not.toContain('asana');
    expect(await excluding.callTool({ name: 'run-action', arguments: { tool: 'asana_create-task', arguments: { name: 'x' } } })).toMatchObject({
      isError: true,
      structuredContent: { error: { type: 'unknown_action' } },
    });
    const oneTool = await client(app, 'cust-1', { mode: 'search' }, { 'X-MCP-Exclude-Tools': 'asana_create-task' });
    const found = (await search(oneTool, 'asana')).map((r) => r.tool);
    expect(found).toContain('asana_list-projects');
    expect(found).not.toContain('asana_create-task');
    // Read-only: connect-app is refused there, so nothing points to it.
    const readOnly = await client(app, 'cust-1', { mode: 'search' }, { 'X-MCP-Readonly': 'true' });
    expect((await search(readOnly, 'list projects')).every((r) => r.connected)).toBe(true);
    const narrowed = await client(app, 'cust-1', { mode: 'search', apps: 'gmail' });
    expect((await search(narrowed, 'create a task')).every((r) => r.integration === 'gmail')).toBe(true);
  });

  it('only where connect-app can be called: not in session-era dynamic mode with CONNECT_TOOLS=search, nowhere with CONNECT_TOOLS=none', async () => {
    const app = await server();
    const dynamic = await client(app, 'cust-1', { mode: 'dynamic' });
    expect((await search(dynamic, 'create a task')).every((r) => r.connected)).toBe(true);
    const none = await server({ CONNECT_TOOLS: 'none' });
    const c = await client(none, 'cust-1');
    expect((await search(c, 'create a task')).every((r) => r.connected)).toBe(true);
    expect(await c.callTool({ name: 'run-action', arguments: { tool: 'asana_create-task', arguments: {} } })).toMatchObject({
      isError: true,
      structuredContent: { error: { type: 'unknown_action' } },
    });
    const all = await server({ CONNECT_TOOLS: 'all' });
    const dynamicAll = await client(all, 'cust-1', { mode: 'dynamic' });
    expect((await search(dynamicAll, 'create a task')).find((r) => r.tool === 'asana_create-task')).toMatchObject({ connected: false });
  });

  it('once stale, the list is served while one refresh runs (a slow refresh does not hold a search)', async () => {
    const app = await server({ CATALOG_TTL_SECONDS: '1' });
    const c = await client(app, 'cust-3');
    expect((await search(c, 'create a task')).find((r) => r.tool === 'asana_create-task')).toMatchObject({ connected: false });
    await new Promise((r) => setTimeout(r, 1100));
    const remove = emulator.addFault({ path: '/connections', delayMs: 8000 });
    try {
      // Without the stale list the search would wait 3 s for the refresh and answer without Asana.
      const stale = await search(c, 'create a task');
      expect(stale.find((r) => r.tool === 'asana_create-task')).toMatchObject({ connected: false });
    } finally {
      remove();
    }
  }, 30_000);

  it('audit: connect-app issuing a link and the link opened each write an audit line (the app; no link id, no token); list-apps writes none', async () => {
    const app = await server();
    const c = await client(app, 'cust-1');
    await c.callTool({ name: 'list-apps', arguments: {} });
    const made = await c.callTool({ name: 'connect-app', arguments: { app: 'jira' } });
    const url = (made.structuredContent as { url: string }).url;
    const opened = await openLink(url);
    expect(opened.status).toBe(302);
    await c.callTool({ name: 'run-action', arguments: { tool: 'asana_create-task', arguments: { name: 'x' } } });
    const audit = app.logs.lines.filter((l) => l.includes('"logger":"audit"')).map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>);
    expect(audit.filter((a) => a.tool === 'list-apps')).toEqual([]);
    const issued = audit.find((a) => a.tool === 'connect-app');
    const used = audit.find((a) => a.tool === 'connect-link');
    expect(issued).toMatchObject({ integration: 'jira', source: 'connect', outcome: 'success', workspace: WORKSPACE, argumentsHmac: expect.any(String) });
    expect(used).toMatchObject({ integration: 'jira', source: 'connect', outcome: 'success', workspace: WORKSPACE, identity: issued!.identity });
    expect(audit.find((a) => a.tool === 'run-action')).toMatchObject({ outcome: 'not_connected', source: 'mode-tools' });
    const lines = app.logs.lines.filter((l) => l.includes('"logger":"audit"')).join('\n');
    const minted = new URL(opened.location!).searchParams.get('token')!;
    for (const secret of [url.split('/connect/')[1], minted, emulator.token('cust-1')]) expect(lines).not.toContain(secret);
  });
});

/** A workspace with many apps, each with many actions; the customer has connected one. */
function manyApps(workspace: string, secret: string, count: number, actionsEach: number): Fixture['workspaces'][number] {
  return {
    key: workspace,
    secret,
    integrations: Array.from({ length: count }, (_, i) => ({
      id: `${workspace}-int-${i}`,
      key: `${workspace}-app-${i}`,
      name: `${workspace} App ${i}`,
      actions: Array.from({ length: actionsEach }, (_, j) => ({ key: `create-record-${j}`, name: `Create Record ${j}`, description: `Creates record ${j}.` })),
    })),
    customers: Array.from({ length: 14 }, (_, i) => ({
      id: `c-${i}`,
      connections: [{ id: `${workspace}-conn-${i}`, name: 'First', integrationKey: `${workspace}-app-0` }],
    })),
  };
}

describe('search-actions with many apps not connected: bounded fetch and memory; one workspace only', () => {
  let emulator: Emulator;
  let app: RunningApp;
  const clients: Client[] = [];

  beforeAll(async () => {
    // 200 apps × 30 actions = 6,000 actions (more than one page: the actions are read per app).
    emulator = await startEmulator({
      fixture: { workspaces: [manyApps('wide', 'wide-secret-0123456789', 200, 30), manyApps('other', 'other-secret-0123456789', 3, 2)] },
    });
    app = await startApp(env(emulator, { INTEGRATION_APP_WORKSPACE_SECRET: undefined, INTEGRATION_APP_WORKSPACE_KEY: undefined, CATALOG_MAX_ENTRIES: '5' }));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await app.close();
    await emulator.close();
  });

  it('reads the actions of at most MAX_NOT_CONNECTED_APPS apps, keeps at most MAX_NOT_CONNECTED_ACTIONS, and every request is for the caller’s own workspace', async () => {
    emulator.clearRequests();
    const { client } = await connectHttp(app.url, { token: emulator.token('c-0', { workspaceKey: 'wide' }), query: { mode: 'search' } });
    clients.push(client);
    const results = resultsOf(await client.callTool({ name: 'search-actions', arguments: { query: 'create a record', limit: 50 } }));
    expect(results.some((r) => !r.connected)).toBe(true);
    expect(results.every((r) => r.integration.startsWith('wide-'))).toBe(true);
    const perApp = emulator.requests.filter((r) => r.path === '/actions' && r.query.integrationId);
    // The connected app's catalog read plus at most 50 not-connected apps.
    expect(perApp.length).toBeLessThanOrEqual(MAX_NOT_CONNECTED_APPS + 1);
    expect(emulator.requests.every((r) => r.workspaceKey === 'wide' || !r.authorized)).toBe(true);
    expect(new Set(perApp.map((r) => r.query.integrationId)).size).toBe(perApp.length);
    const stats = app.app.get(NotConnectedActionsService).stats();
    // 50 apps × 30 actions read, 1,000 kept (the cache is sized by what an entry holds).
    expect(stats.actions).toBe(MAX_NOT_CONNECTED_ACTIONS);
    // A name of another workspace is never found.
    const other = await client.callTool({ name: 'run-action', arguments: { tool: 'other-app-1_create-record-0', arguments: {} } });
    expect(other).toMatchObject({ isError: true, structuredContent: { error: { type: 'unknown_action' } } });
  }, 30_000);

  it('reads per-app action lists at most NOT_CONNECTED_FETCH_CONCURRENCY at a time', async () => {
    // Each per-app read answers after 100 ms: 50 reads, 4 at a time, arrive over at least ~1.2 s (all at once would be ~0 s).
    const remove = emulator.addFault({ path: '/actions', delayMs: 100 });
    try {
      emulator.clearRequests();
      const { client } = await connectHttp(app.url, { token: emulator.token('c-13', { workspaceKey: 'wide' }), query: { mode: 'search' } });
      clients.push(client);
      await client.callTool({ name: 'search-actions', arguments: { query: 'create a record' } });
      await waitFor(
        'every per-app read',
        () => emulator.requests.filter((r) => r.path === '/actions' && r.query.integrationId).length >= MAX_NOT_CONNECTED_APPS,
        {
          timeoutMs: 20_000,
        },
      );
      const arrivals = emulator.requests
        .filter((r) => r.path === '/actions' && r.query.integrationId && r.query.integrationId !== 'wide-int-0')
        .map((r) => r.at)
        .sort((x, y) => x - y);
      expect(arrivals).toHaveLength(MAX_NOT_CONNECTED_APPS);
      expect(arrivals[arrivals.length - 1] - arrivals[0]).toBeGreaterThanOrEqual((MAX_NOT_CONNECTED_APPS / NOT_CONNECTED_FETCH_CONCURRENCY - 1) * 100 * 0.9);
    } finally {
      remove();
    }
  }, 60_000);

  it('many tenants: the cache holds at most CATALOG_MAX_ENTRIES identities', async () => {
    for (let i = 1; i < 12; i++) {
      const { client } = await connectHttp(app.url, { token: emulator.token(`c-${i}`, { workspaceKey: 'wide' }), query: { mode: 'search' } });
      clients.push(client);
      await client.callTool({ name: 'search-actions', arguments: { query: 'create a record' } });
    }
    const stats = app.app.get(NotConnectedActionsService).stats();
    expect(stats.identities).toBeLessThanOrEqual(5);
    expect(stats.actions).toBeLessThanOrEqual(5 * MAX_NOT_CONNECTED_ACTIONS);
    expect(stats.fetches).toBeGreaterThanOrEqual(12);
  }, 60_000);
});
