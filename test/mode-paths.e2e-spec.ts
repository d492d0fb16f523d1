/**
 * Modes as paths (SPEC §12): `/mcp/search` and `/mcp/dynamic` are `/mcp?mode=search` and
 * `/mcp?mode=dynamic` in both eras — the MCP SDK v1 client (session era: POST, GET stream, DELETE)
 * and the v2 client pinned to 2026-07-28 — so no client needs a query string; a path mode with a
 * conflicting `?mode=` is a 400 that says so.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { connectHttp, connectStateless, INIT_BODY, MCP_HEADERS, rawPost, statelessPost } from './support/mcp-client';
import { e2eFixture } from './support/e2e-fixture';

type V2Client = Awaited<ReturnType<typeof connectStateless>>['client'];

const SEARCH_LIST = ['connect-app', 'describe-actions', 'get-action-result', 'list-apps', 'run-action', 'run-read-action', 'search-actions'];

describe('Modes as paths: /mcp/search and /mcp/dynamic, both eras', () => {
  let emulator: Emulator;
  let app: RunningApp;
  let token: string;
  const clients: Array<Client | V2Client> = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    app = await startApp({ INTEGRATION_APP_API_URL: emulator.url, RATE_LIMIT_PER_MINUTE: '10000' });
    token = emulator.token('cust-1');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await app.close();
    await emulator.close();
  });

  async function v1(path: string, query: Record<string, string> = {}) {
    const connected = await connectHttp(app.url, { token, path, query });
    clients.push(connected.client);
    return connected;
  }
  async function v2(path: string): Promise<V2Client> {
    const { client } = await connectStateless(app.url, { token, path });
    clients.push(client);
    return client;
  }
  const names = (tools: Array<{ name: string }>) => tools.map((t) => t.name).sort();
  const auth = () => ({ Authorization: `Bearer ${token}` });

  it('session era (SDK v1): /mcp/search serves the search list, the session lives on the path, DELETE ends it', async () => {
    const { client, transport } = await v1('/mcp/search');
    expect(names((await client.listTools()).tools)).toEqual(SEARCH_LIST);
    const run = await client.callTool({ name: 'run-action', arguments: { tool: 'gmail_list-labels' } });
    expect(run.isError).toBeFalsy();
    // The same mode as the query form.
    const { client: queried } = await v1('/mcp', { mode: 'search' });
    expect(names((await queried.listTools()).tools)).toEqual(SEARCH_LIST);
    // GET (the session's stream) and DELETE on the mode path.
    const sessionId = transport.sessionId!;
    const stream = await fetch(`${app.url}/mcp/search`, {
      headers: { ...auth(), Accept: 'text/event-stream', 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    await stream.body?.cancel();
    await transport.terminateSession();
    const after = await rawPost(app.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { ...auth(), 'Mcp-Session-Id': sessionId }, '/mcp/search');
    expect(after.status).toBe(404);
  });

  it('session era (SDK v1): /mcp/dynamic serves enable-tools and enabled tools are callable', async () => {
    const { client } = await v1('/mcp/dynamic');
    const listed = names((await client.listTools()).tools);
    expect(listed).toContain('enable-tools');
    expect(listed).not.toContain('gmail_list-labels');
    await client.callTool({ name: 'enable-tools', arguments: { tools: ['gmail_list-labels'] } });
    expect((await client.callTool({ name: 'gmail_list-labels', arguments: {} })).isError).toBeFalsy();
  });

  it('2026-07-28 (SDK v2): /mcp/search and /mcp/dynamic both list the search tools; /mcp stays static', async () => {
    expect(names((await (await v2('/mcp/search')).listTools()).tools)).toEqual(SEARCH_LIST);
    const dynamic = await v2('/mcp/dynamic');
    expect(names((await dynamic.listTools()).tools)).toEqual(SEARCH_LIST);
    const found = await dynamic.callTool({ name: 'search-actions', arguments: { query: 'send an email' } });
    expect((found.structuredContent as { results: Array<{ tool: string }> }).results[0].tool).toBe('gmail_send-email');
    expect(names((await (await v2('/mcp')).listTools()).tools)).toContain('gmail_send-email');
    // A misspelled action is a result the model reads (SPEC §12), in this era too.
    const misspelled = await dynamic.callTool({ name: 'run-action', arguments: { tool: 'gmail_send-emial', arguments: {} } });
    expect(misspelled).toMatchObject({ isError: true, structuredContent: { error: { type: 'unknown_action', suggestions: ['gmail_send-email'] } } });
  });

  it('a path mode with a conflicting ?mode= is a 400 naming both; the same mode twice is accepted', async () => {
    const conflict = await rawPost(app.url, INIT_BODY, auth(), '/mcp/search?mode=dynamic');
    expect(conflict.status).toBe(400);
    expect(JSON.stringify(conflict.json)).toMatch(
      /Conflicting modes: the path \/mcp\/search selects mode \\"search\\" but the query string says mode=\\"dynamic\\"/,
    );
    const stateless = await statelessPost(app.url, 'tools/list', {}, auth(), '/mcp/dynamic?mode=static');
    expect(stateless.status).toBe(400);
    expect(JSON.stringify(stateless.json)).toContain('Conflicting modes');
    const same = await rawPost(app.url, INIT_BODY, auth(), '/mcp/search?mode=SEARCH');
    expect(same.status).toBe(200);
    // Only the two modes are paths; the route does not take others.
    const other = await fetch(`${app.url}/mcp/static`, { method: 'POST', headers: { ...MCP_HEADERS, ...auth() }, body: JSON.stringify(INIT_BODY) });
    expect(other.status).toBe(404);
  });
});
