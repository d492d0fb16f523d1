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
    expect(await bad.json()).toMatchObject({ error: { message: 'X-MCP-Readonly must be true or false.' } });
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
      argumentsSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      durationMs: expect.any(Number),
      time: expect.any(Number),
    });
    expect(audit[2]).toMatchObject({ integration: 'slack', connectionId: 'conn-slack-b' });
    expect(a.logs.lines.filter((l) => l.includes(marker))).toEqual([]);
  });

  it('writes no audit line with AUDIT_LOG=false', async () => {
    const a = await server({ AUDIT_LOG: 'false' });
    await (await client(a)).callTool({ name: 'gmail_count-unread', arguments: {} }, CallToolResultSchema);
    expect(a.logs.lines.some((l) => l.includes('"logger":"audit"'))).toBe(false);
  });
});
