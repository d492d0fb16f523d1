/**
 * Tenant policy (SPEC §13) and the audit line (SPEC §14) through the real MCP client: the operator's
 * ceiling and a request's narrowing apply to every list, search, describe and call, in every mode;
 * one audit line per tool call, without argument values.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { connectHttp, connectSse } from './support/mcp-client';
import { e2eFixture } from './support/e2e-fixture';

describe('Tenant policy and audit', () => {
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

  async function server(env: Record<string, string> = {}): Promise<RunningApp> {
    const a = await startApp({ INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_SECRET: undefined, ...env });
    apps.push(a);
    return a;
  }
  async function client(a: RunningApp, query: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Client> {
    const { client: c } = await connectHttp(a.url, { token: emulator.token('cust-1'), query, headers });
    clients.push(c);
    return c;
  }
  const names = async (c: Client) => (await c.listTools()).tools.map((t) => t.name).sort();

  it('READ_ONLY: only read-only actions are listed, searchable, describable or runnable', async () => {
    const a = await server({ READ_ONLY: 'true' });
    const c = await client(a);
    const listed = await names(c);
    expect(listed).toEqual(expect.arrayContaining(['gmail_list-emails', 'gmail_list-labels', 'gmail_get-profile']));
    expect(listed).not.toContain('gmail_send-email');
    expect(listed).not.toContain('gmail_delete-email');
    await expect(c.callTool({ name: 'gmail_send-email', arguments: { to: ['a@example.com'], body: 'x' } })).rejects.toThrow(
      /-32602.*Unknown tool: "gmail_send-email"/,
    );

    const s = await client(a, { mode: 'search' });
    const found = await s.callTool({ name: 'search-actions', arguments: { query: 'send an email' } }, CallToolResultSchema);
    expect((found.structuredContent as { results: Array<{ readOnly: boolean }> }).results.every((r) => r.readOnly)).toBe(true);
    const described = await s.callTool({ name: 'describe-actions', arguments: { tools: ['gmail_send-email'] } }, CallToolResultSchema);
    expect(described.structuredContent).toMatchObject({ tools: [], unknown: [{ name: 'gmail_send-email' }] });
    // Denied looks like unknown: the same isError result the model can read (SPEC §13).
    const refused = await s.callTool({ name: 'run-action', arguments: { tool: 'gmail_send-email', arguments: { to: ['a@example.com'], body: 'x' } } });
    expect(refused).toMatchObject({ isError: true, structuredContent: { error: { type: 'unknown_action', tool: 'gmail_send-email' } } });
  });

  it('READ_ONLY decides from the upstream action type first: get-or-create-contact of type create-data-record is not read-only', async () => {
    const fixture = e2eFixture();
    fixture.workspaces[0].integrations[0].actions.push(
      { key: 'get-or-create-contact', name: 'Get or Create Contact', type: 'create-data-record' },
      { key: 'sync-threads', name: 'Sync Threads', type: 'list-data-records' },
    );
    const typed = await startEmulator({ fixture });
    try {
      const a = await startApp({ INTEGRATION_APP_API_URL: typed.url, INTEGRATION_APP_WORKSPACE_SECRET: undefined, READ_ONLY: 'true' });
      apps.push(a);
      const { client: c } = await connectHttp(a.url, { token: typed.token('cust-1') });
      clients.push(c);
      const listed = await names(c);
      expect(listed).not.toContain('gmail_get-or-create-contact');
      expect(listed).toContain('gmail_sync-threads');
      await expect(c.callTool({ name: 'gmail_get-or-create-contact', arguments: {} })).rejects.toThrow(/Unknown tool/);
      expect(typed.requests.some((r) => r.method === 'POST')).toBe(false);
    } finally {
      await typed.close();
    }
  });

  it('TOOLS_ALLOW / TOOLS_DENY: tool names or integration keys; requests only narrow', async () => {
    const a = await server({ TOOLS_ALLOW: 'gmail,slack_send-message', TOOLS_DENY: 'gmail_delete-email' });
    const all = await names(await client(a));
    expect(all).toContain('gmail_send-email');
    expect(all).toContain('slack_send-message');
    expect(all).not.toContain('gmail_delete-email');
    expect(all.every((n) => n.startsWith('gmail_') || n === 'slack_send-message')).toBe(true);

    // A request asking for a denied tool or one outside the allow list still cannot have it.
    const narrowed = await names(await client(a, {}, { 'X-MCP-Tools': 'gmail_delete-email,gmail_list-emails,notion_search' }));
    expect(narrowed).toEqual(['gmail_list-emails']);
    const excluded = await names(await client(a, { exclude_tools: 'gmail' }));
    expect(excluded).toEqual(['slack_send-message']);
    const readOnly = await names(await client(a, { readonly: 'true' }));
    expect(readOnly.length).toBeGreaterThan(0);
    expect(readOnly).not.toContain('slack_send-message');
  });

  it('matches policy entries in every form, for allow and deny alike: listed name, <integrationKey>-<actionKey>, any case, integration key', async () => {
    const a = await server({ TOOLS_DENY: 'gmail-send-email,GMAIL_DELETE-EMAIL,Notion', TOOLS_ALLOW: 'GMAIL,slack-send-message,notion,gmail-nosuch-action' });
    const all = await names(await client(a));
    expect(all).not.toContain('gmail_send-email');
    expect(all).not.toContain('gmail_delete-email');
    expect(all).toContain('gmail_list-emails');
    expect(all).toContain('slack_send-message');
    expect(all.some((n) => n.startsWith('notion_'))).toBe(false);
    expect(all.every((n) => n.startsWith('gmail_') || n === 'slack_send-message')).toBe(true);
    // Request headers and query forms: the same spellings.
    const headerDenied = await names(await client(a, {}, { 'X-MCP-Exclude-Tools': 'Gmail-List-Emails,SLACK' }));
    expect(headerDenied).not.toContain('gmail_list-emails');
    expect(headerDenied).not.toContain('slack_send-message');
    expect(headerDenied).toContain('gmail_list-labels');
    const queryDenied = await names(await client(a, { exclude_tools: 'gmail-list-labels' }));
    expect(queryDenied).not.toContain('gmail_list-labels');
    const allowed = await names(await client(a, { tools: 'GMAIL-LIST-LABELS,Gmail_Count-Unread' }));
    expect(allowed).toEqual(['gmail_count-unread', 'gmail_list-labels']);
    // An operator entry that matches nothing is reported once the first catalog is known (cust-1 has no Notion connection).
    const warnings = a.logs.lines.filter((l) => l.includes('matches no tool'));
    expect(warnings).toHaveLength(2);
    expect(warnings.some((w) => w.includes('TOOLS_DENY entry "notion"'))).toBe(true);
    expect(warnings.some((w) => w.includes('TOOLS_ALLOW entry "gmail-nosuch-action"'))).toBe(true);
  });

  it("fixes a session's narrowing at initialize (headers and query forms, Streamable HTTP and SSE); bad values are a 400", async () => {
    const a = await server();
    const c = await client(a, {}, { 'X-MCP-Readonly': 'true', 'X-MCP-Exclude-Tools': 'gmail_list-labels' });
    const listed = await names(c);
    expect(listed).not.toContain('gmail_send-email');
    expect(listed).not.toContain('gmail_list-labels');
    expect(listed).toContain('gmail_list-emails');
    const dynamic = await client(a, { mode: 'dynamic', tools: 'slack' });
    const enabled = await dynamic.callTool({ name: 'enable-tools', arguments: { tools: ['gmail', 'slack'] } }, CallToolResultSchema);
    expect((enabled.structuredContent as { enabled: string[] }).enabled).toEqual(['slack_send-message']);
    const { client: sse } = await connectSse(a.url, { token: emulator.token('cust-1'), query: { tools: 'gmail_get-profile' } });
    clients.push(sse);
    expect(await names(sse)).toEqual(['gmail_get-profile']);
    const bad = await fetch(`${a.url}/mcp?readonly=maybe`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${emulator.token('cust-1')}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { message: 'readonly must be true or false.' } });
  });

  it('a header narrows on top of the URL and never widens it (?readonly=true + X-MCP-Readonly: false stays read-only)', async () => {
    const a = await server();
    const readOnly = await names(await client(a, { readonly: 'true' }, { 'X-MCP-Readonly': 'false' }));
    expect(readOnly).toContain('gmail_list-emails');
    expect(readOnly).not.toContain('gmail_send-email');
    // Both allow lists apply (only what both allow), both deny lists apply.
    const allowed = await names(await client(a, { tools: 'gmail' }, { 'X-MCP-Tools': 'gmail_list-labels,slack_send-message' }));
    expect(allowed).toEqual(['gmail_list-labels']);
    const denied = await names(await client(a, { exclude_tools: 'gmail_list-labels' }, { 'X-MCP-Exclude-Tools': 'gmail_list-emails' }));
    expect(denied).not.toContain('gmail_list-labels');
    expect(denied).not.toContain('gmail_list-emails');
    expect(denied).toContain('gmail_count-unread');
  });

  it('writes one audit line per tool call (direct or through run-action) with a hash of the arguments, never their values', async () => {
    const a = await server();
    const marker = `marker-${randomUUID()}`;
    const direct = await client(a);
    await direct.callTool({ name: 'gmail_send-email', arguments: { to: ['a@example.com'], body: marker } }, CallToolResultSchema);
    await direct.callTool({ name: 'gmail_fail-action', arguments: {} }, CallToolResultSchema);
    const search = await client(a, { mode: 'search' });
    await search.callTool(
      { name: 'run-action', arguments: { tool: 'slack_send-message', arguments: { channel: 'c', text: marker, connectionId: 'conn-slack-b' } } },
      CallToolResultSchema,
    );
    await search.callTool({ name: 'search-actions', arguments: { query: marker } }, CallToolResultSchema);

    const audit = a.logs.lines
      .filter((l) => l.startsWith('pino ') && l.includes('"logger":"audit"'))
      .map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>);
    expect(audit.map((l) => [l.tool, l.outcome])).toEqual([
      ['gmail_send-email', 'success'],
      ['gmail_fail-action', 'action_failed'],
      ['slack_send-message', 'success'],
    ]);
    expect(audit[0]).toMatchObject({
      msg: 'tool call',
      workspace: 'e2e-workspace',
      integration: 'gmail',
      connectionId: 'conn-gmail',
      identity: expect.stringMatching(/^[0-9a-f]{12}$/),
      requestId: expect.any(String),
      argumentsHmac: expect.stringMatching(/^[0-9a-f]{64}$/),
      durationMs: expect.any(Number),
      time: expect.any(Number),
    });
    expect(audit[2]).toMatchObject({ integration: 'slack', connectionId: 'conn-slack-b' });
    expect(a.logs.lines.filter((l) => l.includes(marker))).toEqual([]);
  });

  it('audits refused calls with their outcome (denied, unknown_tool, not_read_only, not_listed, rate_limited), and the access line says so', async () => {
    const a = await server({ TOOLS_DENY: 'gmail_delete-email', MAX_CONCURRENT_CALLS_PER_IDENTITY: '1', LOG_LEVEL: 'info' });
    const marker = `marker-${randomUUID()}`;
    const c = await client(a);
    await expect(c.callTool({ name: 'gmail_delete-email', arguments: { id: marker } })).rejects.toThrow(/Unknown tool/);
    await expect(c.callTool({ name: `no-such-${'x'.repeat(300)}`, arguments: { q: marker } })).rejects.toThrow(/Unknown tool/);
    const s = await client(a, { mode: 'search' });
    const refused = await s.callTool({ name: 'run-read-action', arguments: { tool: 'gmail_send-email', arguments: { body: marker } } }, CallToolResultSchema);
    expect(refused.isError).toBe(true);
    await expect(s.callTool({ name: 'gmail_list-labels', arguments: {} })).rejects.toThrow(/not listed in search mode/);
    // Two calls at once with a cap of one: the second is refused without running.
    const release = emulator.addFault({ method: 'POST', path: /\/actions\/count-unread\/run$/, delayMs: 400, times: 1 });
    const both = await Promise.all([
      c.callTool({ name: 'gmail_count-unread', arguments: {} }, CallToolResultSchema),
      new Promise((r) => setTimeout(r, 100)).then(() => c.callTool({ name: 'gmail_count-unread', arguments: {} }, CallToolResultSchema)),
    ]);
    release();
    expect(both.map((r) => r.isError ?? false)).toEqual([false, true]);

    const lines = a.logs.lines.filter((l) => l.startsWith('pino ')).map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>);
    const audit = lines.filter((l) => l.logger === 'audit');
    expect(audit.map((l) => [String(l.tool).slice(0, 20), l.outcome])).toEqual([
      ['gmail_delete-email', 'denied'],
      ['no-such-xxxxxxxxxxxx', 'unknown_tool'],
      ['run-read-action', 'not_read_only'],
      ['gmail_list-labels', 'not_listed'],
      ['gmail_count-unread', 'rate_limited'],
      ['gmail_count-unread', 'success'],
    ]);
    expect(audit.every((l) => String(l.tool).length <= 128 && typeof l.requestId === 'string')).toBe(true);
    // The access line of each refused call tells a JSON-RPC error or a tool error from a success.
    const access = (requestId: unknown) => lines.find((l) => l.msg === 'request completed' && (l.req as { id?: unknown })?.id === requestId)!;
    expect(access(audit[0].requestId)).toMatchObject({ res: { statusCode: 200 }, rpcOutcome: 'rpc_error', rpcCode: -32602 });
    expect(access(audit[2].requestId)).toMatchObject({ rpcOutcome: 'tool_error' });
    expect(access(audit[4].requestId)).toMatchObject({ rpcOutcome: 'tool_error' });
    expect(access(audit[5].requestId).rpcOutcome).toBeUndefined();
    expect(a.logs.lines.filter((l) => l.includes(marker))).toEqual([]);
  });

  it('keys the arguments hash (HMAC-SHA256 with AUDIT_HASH_KEY): a short argument cannot be recovered by hashing guesses', async () => {
    const key = 'k'.repeat(40);
    const keyed = await server({ AUDIT_HASH_KEY: key });
    const other = await server({ AUDIT_HASH_KEY: key });
    const random = await server();
    const args = { to: ['a@example.com'], body: '4711' };
    for (const a of [keyed, other, random]) await (await client(a)).callTool({ name: 'gmail_send-email', arguments: args }, CallToolResultSchema);
    const hmacOf = (a: RunningApp) =>
      a.logs.lines
        .filter((l) => l.startsWith('pino ') && l.includes('"logger":"audit"'))
        .map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>)
        .at(-1)!;
    const line = hmacOf(keyed);
    expect(line.argumentsSha256).toBeUndefined();
    const { createHash, createHmac } = await import('node:crypto');
    const json = JSON.stringify(args);
    expect(line.argumentsHmac).toBe(createHmac('sha256', key).update(json).digest('hex'));
    expect(line.argumentsHmac).not.toBe(createHash('sha256').update(json).digest('hex'));
    // One key, one hash on every replica; without a key, a random one per process.
    expect(hmacOf(other).argumentsHmac).toBe(line.argumentsHmac);
    expect(hmacOf(random).argumentsHmac).not.toBe(line.argumentsHmac);
    // Brute force over 4 digits without the key finds nothing.
    const guesses = Array.from({ length: 10_000 }, (_, i) =>
      createHash('sha256')
        .update(JSON.stringify({ ...args, body: String(i).padStart(4, '0') }))
        .digest('hex'),
    );
    expect(guesses).not.toContain(hmacOf(random).argumentsHmac);
  });

  it('writes no audit line with AUDIT_LOG=false', async () => {
    const a = await server({ AUDIT_LOG: 'false' });
    await (await client(a)).callTool({ name: 'gmail_count-unread', arguments: {} }, CallToolResultSchema);
    expect(a.logs.lines.some((l) => l.includes('"logger":"audit"'))).toBe(false);
  });
});
