import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { connectHttp, connectSse, INIT_BODY, openRawSse, rawInitialize, rawPost } from './support/mcp-client';
import { e2eFixture, WORKSPACE } from './support/e2e-fixture';
import { waitFor } from './support/wait';

describe('Streamable HTTP /mcp (foundation)', () => {
  let emulator: Emulator;
  let server: RunningApp;
  let token1: string;
  let token2: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture(), pageSize: 2 });
    // No workspace secret: tokens are validated by Integration.app (the emulator).
    server = await startApp({ INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_SECRET: undefined, UPSTREAM_RETRIES: '0' });
    token1 = emulator.token('cust-1');
    token2 = emulator.token('cust-2');
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await server?.close();
    await emulator?.close();
  });

  async function client(token: string, query?: Record<string, string>): Promise<Client> {
    const { client } = await connectHttp(server.url, { token, query });
    clients.push(client);
    return client;
  }

  it('lists one tool per live action, across pages of connections and actions', async () => {
    const c = await client(token1);
    const { tools } = await c.listTools();
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual(
      [
        'gmail_count-unread',
        'gmail_delete-email',
        'gmail_fail-action',
        'gmail_get-nothing',
        'gmail_get-profile',
        'gmail_get-signature',
        'gmail_is-vacation-on',
        'gmail_list-emails',
        'gmail_list-labels',
        'gmail_send-email',
        'slack_send-message',
      ].sort(),
    );
    // The emulator served several pages of connections and of actions.
    const connectionPages = emulator.requests.filter((r) => r.path === '/connections');
    expect(connectionPages.length).toBeGreaterThan(1);
    for (const t of tools) {
      expect(t.name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(t.inputSchema.type).toBe('object');
    }
  });

  it('keeps the JSON Schema whole and sets title, description and annotations', async () => {
    const c = await client(token1);
    const { tools } = await c.listTools();
    const send = tools.find((t) => t.name === 'gmail_send-email')!;
    expect(send.title).toBe('Gmail: Send Email');
    expect(send.description).toBe('Send an email from the connected mailbox.');
    expect(send.inputSchema).toEqual(e2eFixture().workspaces[0].integrations[0].actions[0].inputSchema);
    expect(send.annotations).toEqual({ title: 'Gmail: Send Email', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
    expect(tools.find((t) => t.name === 'gmail_list-emails')!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(tools.find((t) => t.name === 'gmail_delete-email')!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(tools.find((t) => t.name === 'gmail_get-profile')!.inputSchema).toEqual({ type: 'object', properties: {} });
  });

  it('offers a connectionId enum when the customer has two connections of one integration', async () => {
    const c = await client(token1);
    const { tools } = await c.listTools();
    const slack = tools.filter((t) => t.name.startsWith('slack_'));
    expect(slack).toHaveLength(1);
    const schema = slack[0].inputSchema as { properties: Record<string, { enum?: string[]; description?: string }>; required: string[] };
    expect(schema.properties.connectionId.enum).toEqual(['conn-slack-a', 'conn-slack-b']);
    expect(schema.properties.connectionId.description).toContain('Slack Acme');
    expect(schema.required).toEqual(expect.arrayContaining(['channel', 'text', 'connectionId']));
    expect(tools.find((t) => t.name === 'gmail_send-email')!.inputSchema.properties).not.toHaveProperty('connectionId');
  });

  it('runs the action on the right connection with the right input', async () => {
    const c = await client(token1);
    emulator.clearRequests();
    const result = await c.callTool({ name: 'gmail_send-email', arguments: { to: ['a@example.com'], body: 'Hi' } });
    expect(result.isError).toBeFalsy();
    const run = emulator.requests.find((r) => r.method === 'POST');
    expect(run).toMatchObject({ path: '/connections/conn-gmail/actions/send-email/run', body: { to: ['a@example.com'], body: 'Hi' }, customerId: 'cust-1' });
    const expected = { ok: true, connectionId: 'conn-gmail', actionKey: 'send-email', input: { to: ['a@example.com'], body: 'Hi' } };
    expect(result.structuredContent).toEqual(expected);
    expect(JSON.parse((result.content as Array<{ text: string }>)[0].text)).toEqual(expected);
  });

  it('routes to the chosen connection and strips connectionId from the input', async () => {
    const c = await client(token1);
    emulator.clearRequests();
    const result = await c.callTool({ name: 'slack_send-message', arguments: { connectionId: 'conn-slack-b', channel: '#x', text: 'yo' } });
    expect(result.isError).toBeFalsy();
    const run = emulator.requests.find((r) => r.method === 'POST');
    expect(run).toMatchObject({ path: '/connections/conn-slack-b/actions/send-message/run', body: { channel: '#x', text: 'yo' } });
  });

  it.each([
    ['gmail_count-unread', 0, '0'],
    ['gmail_is-vacation-on', false, 'false'],
    ['gmail_get-signature', '', '""'],
    ['gmail_get-nothing', null, 'null'],
    ['gmail_list-labels', ['inbox', 'work'], '["inbox","work"]'],
  ])('returns the output of %s as it is', async (name, _value, text) => {
    const c = await client(token1);
    const result = await c.callTool({ name, arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text }]);
    expect(result.structuredContent).toBeUndefined();
  });

  it('validates arguments before any upstream call and names the bad fields', async () => {
    const c = await client(token1);
    emulator.clearRequests();
    const result = await c.callTool({ name: 'gmail_send-email', arguments: { to: ['not-an-email'], priority: 'urgent' } });
    expect(result.isError).toBe(true);
    const text = (result.content as Array<{ text: string }>)[0].text;
    expect(text).toContain('"body" is required');
    expect(text).toContain('"to.0"');
    expect(text).toContain('"priority" must be one of');
    expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('rejects a slack call without a valid connectionId', async () => {
    const c = await client(token1);
    const result = await c.callTool({ name: 'slack_send-message', arguments: { connectionId: 'conn-gmail', channel: '#x', text: 'yo' } });
    expect(result.isError).toBe(true);
    expect((result.content as Array<{ text: string }>)[0].text).toContain('"connectionId" must be one of');
  });

  it('turns an upstream action failure into an actionable isError result', async () => {
    const c = await client(token1);
    const result = await c.callTool({ name: 'gmail_fail-action', arguments: {} });
    expect(result.isError).toBe(true);
    expect((result.content as Array<{ text: string }>)[0].text).toContain('Mailbox quota exceeded');
  });

  it('tells the agent when to retry a rate-limited action', async () => {
    const c = await client(token1);
    const remove = emulator.addFault({
      method: 'POST',
      path: '/connections/conn-gmail/actions/list-emails/run',
      status: 429,
      headers: { 'Retry-After': '17' },
      body: { type: 'bad_request', key: 'rate_limit_exceeded', message: 'Too many requests' },
    });
    try {
      const result = await c.callTool({ name: 'gmail_list-emails', arguments: {} });
      expect(result.isError).toBe(true);
      expect((result.content as Array<{ text: string }>)[0].text).toContain('retry after 17 s');
    } finally {
      remove();
    }
  });

  async function cancelledCalls(): Promise<number> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const m = /^mcp_tool_calls_total\{integration="gmail",outcome="cancelled"\} (\d+)/m.exec(text);
    return m ? Number(m[1]) : 0;
  }

  async function until(check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Starts a slow call of `action` (gmail), aborts it through the SDK client's signal and checks the
   * user-visible effect: the call rejects, its upstream run is abandoned and it counts as cancelled.
   */
  async function abortSlowCall(c: Client, action: string): Promise<void> {
    const before = await cancelledCalls();
    const path = `/connections/conn-gmail/actions/${action}/run`;
    const remove = emulator.addFault({ method: 'POST', path, delayMs: 5000 });
    emulator.clearRequests();
    try {
      const ac = new AbortController();
      const call = c.callTool({ name: `gmail_${action}`, arguments: {} }, undefined, { signal: ac.signal });
      await until(() => emulator.requests.some((r) => r.path === path));
      ac.abort('user pressed stop');
      await expect(call).rejects.toThrow();
      // The upstream run was aborted (not left running for 5 s) and counted as cancelled.
      await until(() => emulator.requests.find((r) => r.path === path)?.abandoned === true);
      await until(async () => (await cancelledCalls()) === before + 1);
    } finally {
      remove();
    }
  }

  it('cancels a running tool call when the SDK client aborts it (notifications/cancelled), upstream included', async () => {
    const c = await client(token1);
    await abortSlowCall(c, 'list-emails');
    // The session goes on.
    expect((await c.callTool({ name: 'gmail_count-unread', arguments: {} })).isError).toBeFalsy();
  });

  it('cancels a running tool call on the legacy SSE transport too', async () => {
    const { client: c } = await connectSse(server.url, { token: token1 });
    clients.push(c);
    await abortSlowCall(c, 'get-signature');
  });

  it('answers the HTTP request of a cancelled call at once (202, no JSON-RPC answer)', async () => {
    const id = await rawInitialize(server.url, token1);
    const headers = { Authorization: `Bearer ${token1}`, 'Mcp-Session-Id': id };
    const runPath = '/connections/conn-gmail/actions/list-labels/run';
    const remove = emulator.addFault({ method: 'POST', path: runPath, delayMs: 5000 });
    emulator.clearRequests();
    try {
      const started = Date.now();
      let settled = false;
      const slow = rawPost(
        server.url,
        { jsonrpc: '2.0', id: 'call-1', method: 'tools/call', params: { name: 'gmail_list-labels', arguments: {} } },
        headers,
      ).finally(() => {
        settled = true;
      });
      await waitFor('the call to reach Integration.app', () => emulator.requests.some((r) => r.path === runPath));
      // Another session's cancellation of the same request id changes nothing.
      const other = await rawInitialize(server.url, token1);
      await rawPost(
        server.url,
        { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'call-1' } },
        { ...headers, 'Mcp-Session-Id': other },
      );
      // The point here: a while after it, the call is still running (a wrongful cancel answers within milliseconds).
      await new Promise((r) => setTimeout(r, 150));
      expect(settled).toBe(false);
      const cancel = await rawPost(server.url, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'call-1', reason: 'stop' } }, headers);
      expect(cancel.status).toBe(202);
      const answered = await slow;
      expect(answered.status).toBe(202);
      expect(answered.text).toBe('');
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      remove();
    }
  });

  it('answers an unknown tool with JSON-RPC -32602 and suggestions', async () => {
    const c = await client(token1);
    await expect(c.request({ method: 'tools/call', params: { name: 'gmail_send-emial', arguments: {} } }, CallToolResultSchema)).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('gmail_send-email'),
    });
  });

  it('shows each customer only their own tools, and none when they have no connections', async () => {
    const c2 = await client(token2);
    expect((await c2.listTools()).tools.map((t) => t.name)).toEqual(['notion_search']);
    const nobody = await client(emulator.token('cust-nobody'));
    expect(await nobody.listTools()).toEqual({ tools: [] });
  });

  it('answers 404 with a JSON-RPC error for unknown and foreign sessions', async () => {
    const unknown = await rawPost(
      server.url,
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { Authorization: `Bearer ${token1}`, 'Mcp-Session-Id': 'no-such-session' },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });

    const sessionOf1 = await rawInitialize(server.url, token1);
    const foreign = await rawPost(
      server.url,
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { Authorization: `Bearer ${token2}`, 'Mcp-Session-Id': sessionOf1 },
    );
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual(unknown.json && { ...(unknown.json as object), id: 2 });
  });

  it('answers 401 with WWW-Authenticate for missing, malformed and rejected tokens', async () => {
    const missing = await rawPost(server.url, INIT_BODY);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(missing.json).toMatchObject({ error: { message: expect.stringContaining('Missing access token') } });

    const notJwt = await rawPost(server.url, INIT_BODY, { Authorization: 'Bearer not-a-jwt' });
    expect(notJwt.status).toBe(401);

    const forged = emulator.token('cust-1', { workspaceKey: WORKSPACE }).replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    const rejected = await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${forged}` });
    expect(rejected.status).toBe(401);
    expect(rejected.json).toMatchObject({ error: { message: expect.stringContaining('rejected') } });
  });

  it('answers malformed JSON with 400 / -32700 and a wrong Accept with 406, always as JSON', async () => {
    const bad = await rawPost(server.url, '{"jsonrpc": "2.0", "id": 1, "method": ', { Authorization: `Bearer ${token1}` });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/json');
    expect(bad.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 }, id: null });

    const accept = await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${token1}`, Accept: 'text/html' });
    expect(accept.status).toBe(406);
    expect(accept.headers.get('content-type')).toContain('application/json');

    const noSession = await rawPost(server.url, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { Authorization: `Bearer ${token1}` });
    expect(noSession.status).toBe(400);
    expect(noSession.json).toMatchObject({ error: { message: expect.stringContaining('Mcp-Session-Id') } });
  });

  it('requires Mcp-Session-Id on GET and DELETE (400), and rejects a legacy SSE session id on /mcp', async () => {
    const headers = { Authorization: `Bearer ${token1}`, Accept: 'text/event-stream' };
    expect((await fetch(`${server.url}/mcp`, { headers })).status).toBe(400);
    const del = await fetch(`${server.url}/mcp`, { method: 'DELETE', headers });
    expect(del.status).toBe(400);
    expect(await del.json()).toMatchObject({ error: { message: expect.stringContaining('Mcp-Session-Id') } });
    const { sessionId, reader } = await openRawSse(server.url, token1);
    const res = await rawPost(server.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { Authorization: `Bearer ${token1}`, 'Mcp-Session-Id': sessionId });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { message: expect.stringContaining('/sse/messages') } });
    await reader.cancel();
  });

  it('closes a session with DELETE; later requests get 404', async () => {
    const id = await rawInitialize(server.url, token1);
    const del = await fetch(`${server.url}/mcp`, { method: 'DELETE', headers: { Authorization: `Bearer ${token1}`, 'Mcp-Session-Id': id } });
    expect(del.status).toBe(200);
    const after = await rawPost(server.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { Authorization: `Bearer ${token1}`, 'Mcp-Session-Id': id });
    expect(after.status).toBe(404);
  });
});
