/**
 * The team module through a real MCP client: its tools sit next to the Integration.app actions,
 * obey the same views (modes, apps) and limits, and a name clash stops start-up.
 */
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, Module } from '@nestjs/common';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { McpServerModule, McpTool } from 'integration-app-mcp-server';
import { startEmulator, Emulator } from '../../../test/emulator/emulator';
import { e2eFixture } from '../../../test/support/e2e-fixture';
import { startApp, RunningApp } from '../../../test/support/app';
import { connectHttp } from '../../../test/support/mcp-client';
import { TeamServerModule } from '../src/team.module';

type Text = Array<{ type: string; text: string }>;

describe('examples/team-module', () => {
  let emulator: Emulator;
  let helpdesk: Server;
  const tickets: Array<{ body: unknown; authorization?: string }> = [];
  let server: RunningApp;
  const clients: Client[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    // The internal service the ticket tool posts to.
    helpdesk = createServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/tickets') return void res.writeHead(404).end();
        tickets.push({ body: JSON.parse(raw), authorization: req.headers.authorization });
        res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: `T-${tickets.length}`, status: 'open' }));
      });
    });
    await new Promise<void>((resolve) => helpdesk.listen(0, '127.0.0.1', resolve));
    server = await startApp(
      {
        INTEGRATION_APP_API_URL: emulator.url,
        INTEGRATION_APP_WORKSPACE_SECRET: undefined,
        TICKETS_URL: `http://127.0.0.1:${(helpdesk.address() as AddressInfo).port}`,
      },
      { rootModule: TeamServerModule },
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await server?.close();
    await new Promise((r) => helpdesk.close(r));
    await emulator.close();
  });

  async function client(query?: Record<string, string>): Promise<Client> {
    const { client: c } = await connectHttp(server.url, { token: emulator.token('cust-1'), query });
    clients.push(c);
    return c;
  }

  it("lists the team's tools next to the customer's Integration.app actions", async () => {
    const tools = (await (await client()).listTools()).tools;
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['directory_find-person', 'helpdesk_open-ticket', 'gmail_send-email', 'slack_send-message']));
    const lookup = tools.find((t) => t.name === 'directory_find-person')!;
    expect(lookup.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
    expect(lookup.inputSchema).toMatchObject({ required: ['query'] });
  });

  it('runs the read-only lookup, validating its arguments like any tool', async () => {
    const c = await client();
    const found = await c.callTool({ name: 'directory_find-person', arguments: { query: 'ada' } }, CallToolResultSchema);
    expect(found.isError).toBeFalsy();
    expect(found.structuredContent).toEqual({ people: [{ email: 'ada@example.com', name: 'Ada Lovelace', team: 'Platform', manager: 'grace@example.com' }] });
    const bad = await c.callTool({ name: 'directory_find-person', arguments: { query: 'a', extra: 1 } }, CallToolResultSchema);
    expect(bad.isError).toBe(true);
    expect((bad.content as Text)[0].text).toMatch(/Invalid arguments for directory_find-person: .*query/);
  });

  it("posts to the internal service with the caller's identity, never its token", async () => {
    const c = await client();
    const opened = await c.callTool({ name: 'helpdesk_open-ticket', arguments: { summary: 'VPN is down', priority: 'high' } }, CallToolResultSchema);
    expect(opened.structuredContent).toEqual({ id: 'T-1', status: 'open' });
    expect(tickets[0].body).toEqual({ summary: 'VPN is down', priority: 'high', requester: { workspace: 'e2e-workspace', customerId: 'cust-1' } });
    expect(tickets[0].authorization).toBeUndefined();
  });

  it("follows the caller's view: ?apps= selects by app, dynamic mode enables team tools by name or app", async () => {
    const onlyDirectory = (await (await client({ apps: 'directory' })).listTools()).tools.map((t) => t.name);
    expect(onlyDirectory).toEqual(['directory_find-person']);
    const onlyGmail = (await (await client({ apps: 'gmail' })).listTools()).tools.map((t) => t.name);
    expect(onlyGmail).not.toContain('directory_find-person');

    const dynamic = await client({ mode: 'dynamic' });
    expect((await dynamic.listTools()).tools.map((t) => t.name)).toEqual(['enable-tools', 'search-actions', 'describe-actions']);
    const enabled = await dynamic.callTool({ name: 'enable-tools', arguments: { tools: ['helpdesk', 'directory_find-person'] } }, CallToolResultSchema);
    expect(enabled.structuredContent).toMatchObject({ enabled: ['helpdesk_open-ticket', 'directory_find-person'] });
    expect((await dynamic.listTools()).tools.map((t) => t.name)).toEqual([
      'enable-tools',
      'search-actions',
      'describe-actions',
      'helpdesk_open-ticket',
      'directory_find-person',
    ]);
  });

  it('refuses to start when two sources offer the same tool name', async () => {
    @Injectable()
    class Clash {
      @McpTool({ name: 'enable-tools', description: 'Shadows the built-in tool.' })
      run(): string {
        return 'no';
      }
    }
    @Module({ providers: [Clash] })
    class ClashModule {}
    @Module({ imports: [McpServerModule.forRoot({ imports: [ClashModule] })] })
    class ClashRoot {}
    await expect(startApp({ INTEGRATION_APP_API_URL: emulator.url }, { rootModule: ClashRoot })).rejects.toThrow(
      /Tool name "enable-tools" is offered by both .*EnableTools and tool source "decorated tools"/,
    );
  });
});
