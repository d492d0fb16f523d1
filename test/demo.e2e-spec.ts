import { spawn, ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectHttp, connectSse } from './support/mcp-client';
import { freePort } from './support/server-process';

/**
 * Boots `npm run start:demo` exactly as the README says and checks every client configuration the
 * README shows against it: Inspector/Streamable HTTP with a header, `/mcp?token=`, the Claude
 * Desktop/Cursor `/sse?token=` URL, and the TypeScript SDK snippet with `?mode=dynamic`.
 */
describe('npm run start:demo + the README client configurations', () => {
  let child: ChildProcess;
  let output = '';
  let base: string;
  let token: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    child = spawn('npm', ['run', 'start:demo'], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!/export TOKEN=(\S+)/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`demo did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    token = /export TOKEN=(\S+)/.exec(output)![1];
  }, 70_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    if (child?.pid) process.kill(-child.pid, 'SIGTERM');
  });

  it('prints the endpoint, a token and copy-paste configurations', () => {
    expect(output).toContain(`${base}/mcp`);
    expect(output).toContain(`"url": "${base}/sse?token=${token}"`);
    expect(output).toContain('npx @modelcontextprotocol/inspector');
    expect(output).toContain(`${base}/mcp?mode=search`);
  });

  it('finds and runs demo actions in search mode', async () => {
    const { client } = await connectHttp(base, { token, query: { mode: 'search' } });
    clients.push(client);
    const found = await client.callTool({ name: 'search-actions', arguments: { query: 'find contacts named Ada', limit: 3 } });
    const tools = (found.structuredContent as { results: Array<{ tool: string }> }).results.map((r) => r.tool);
    expect(tools).toContain('hubspot_search-contacts');
    const result = await client.callTool({ name: 'run-read-action', arguments: { tool: 'hubspot_search-contacts', arguments: { query: 'ada' } } });
    expect(result.structuredContent).toMatchObject({ total: 1 });
  });

  it('serves the demo workspace over Streamable HTTP with the Authorization header (MCP Inspector, Cursor)', async () => {
    const { client } = await connectHttp(base, { token });
    clients.push(client);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['gmail_send-email', 'google-calendar_create-event', 'slack_send-message', 'hubspot_create-contact', 'notion_create-page']),
    );
    expect(names).not.toContain('salesforce_create-lead');
    const result = await client.callTool({ name: 'hubspot_search-contacts', arguments: { query: 'ada' } });
    expect(result.structuredContent).toMatchObject({ total: 1 });
  });

  it('accepts /mcp?token= (Inspector URL form)', async () => {
    const { client } = await connectHttp(base, { query: { token } });
    clients.push(client);
    expect((await client.listTools()).tools.length).toBeGreaterThan(10);
  });

  it('serves the Claude Desktop / Cursor legacy URL /sse?token=', async () => {
    const { client } = await connectSse(base, { query: { token } });
    clients.push(client);
    const result = await client.callTool({ name: 'gmail_count-unread', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: '0' }]);
  });

  it('runs the README TypeScript snippet (dynamic mode + enable-tools)', async () => {
    const { client } = await connectHttp(base, { token, query: { mode: 'dynamic' } });
    clients.push(client);
    const enabled = await client.callTool({ name: 'enable-tools', arguments: { tools: ['gmail-send-email', 'gmail-read-email'] } });
    expect(enabled.structuredContent).toMatchObject({ enabled: ['gmail_send-email'], unknown: [{ name: 'gmail-read-email' }] });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['enable-tools', 'search-actions', 'describe-actions', 'gmail_send-email']);
  });
});
