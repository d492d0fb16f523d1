import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { openLink, pressConnect } from './support/connect-flow';
import { connectHttp, connectSse } from './support/mcp-client';
import { waitFor } from './support/wait';
import { freePort } from './support/server-process';

/**
 * Boots `npm run start:demo` exactly as the README says and checks what it prints (a short banner,
 * its curl session run as pasted) and serves: the demo's failing actions, search mode, Streamable
 * HTTP with a header or `?token=`, and the legacy `/sse?token=` URL. docs/clients.md's recipes
 * run in test/clients.e2e-spec.ts.
 */
describe('npm run start:demo: the banner and what it serves', () => {
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
      // The demo's own defaults: no LOG_LEVEL, so the logs are quiet unless asked for.
      env: { ...process.env, PORT: String(port), LOG_LEVEL: undefined, DEMO_VERBOSE: undefined },
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
    // The whole banner, then a moment for anything printed after it.
    while (!output.includes('Logs: DEMO_VERBOSE=1')) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
  }, 70_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    if (child?.pid) process.kill(-child.pid, 'SIGTERM');
  });

  it('prints a short banner last, with no log lines around it', () => {
    expect(output).toContain(`${base}/mcp`);
    expect(output).toContain(`${base}/mcp/search`);
    expect(output).toContain(`${base}/mcp/dynamic`);
    expect(output).toMatch(/npx -y @modelcontextprotocol\/inspector@\d+\.\d+\.\d+ --cli \S+\/mcp --transport http --header "Authorization: Bearer \$TOKEN"/);
    expect(output).not.toMatch(/"level"|\[Nest\]/);
    const banner = output.slice(output.indexOf('─'));
    expect(banner.trimEnd().split('\n').pop()).toMatch(/^─+$/);
    expect(banner.split('\n').length).toBeLessThan(40);
  });

  it("runs the banner's curl session as pasted: initialize → initialized → tools/list → tools/call", () => {
    const lines = output.split('\n');
    const from = lines.findIndex((l) => l.includes('2. curl:'));
    const session = lines.slice(from + 1, lines.indexOf('', from)).map((l) => l.trim());
    expect(session.length).toBe(7);
    const out = execFileSync('bash', ['-c', session.join('\n')], { env: { ...process.env, TOKEN: token }, encoding: 'utf8', timeout: 20_000 });
    const answers = out.split('\n').filter(Boolean);
    // notifications/initialized gets an empty 202; then the tools/list and tools/call answers (JSON),
    // and the stateless 2026-07-28 tools/call's.
    expect(answers).toHaveLength(3);
    expect(JSON.parse(answers[2])).toMatchObject({ id: 4, result: { resultType: 'complete', structuredContent: { emails: expect.any(Array) } } });
    const list = JSON.parse(answers[0]) as { result: { tools: Array<{ name: string }> } };
    expect(list.result.tools.map((t) => t.name)).toContain('gmail_list-emails');
    expect(JSON.parse(answers[1])).toMatchObject({ id: 3, result: { structuredContent: { emails: expect.any(Array) } } });
  });

  it('shows what errors look like: a rate-limited action and one that fails upstream', async () => {
    const { client } = await connectHttp(base, { token });
    clients.push(client);
    const limited = await client.callTool({ name: 'hubspot_list-deals', arguments: {} });
    expect(limited.isError).toBe(true);
    expect((limited.content as Array<{ text: string }>)[0].text).toMatch(/rate limit.*retry after 30 s/i);
    const failed = await client.callTool({ name: 'notion_export-page', arguments: { pageId: 'roadmap' } });
    expect(failed.isError).toBe(true);
    expect((failed.content as Array<{ text: string }>)[0].text).toMatch(/Notion API error.*not shared/);
    expect((failed.content as Array<{ text: string }>)[0].text).not.toMatch(/check the arguments/i);
  });

  it('finds and runs demo actions in search mode', async () => {
    const { client } = await connectHttp(base, { token, path: '/mcp/search' });
    clients.push(client);
    const found = await client.callTool({ name: 'search-actions', arguments: { query: 'find contacts named Ada', limit: 3 } });
    const tools = (found.structuredContent as { results: Array<{ tool: string }> }).results.map((r) => r.tool);
    expect(tools).toContain('hubspot_search-contacts');
    const result = await client.callTool({ name: 'run-read-action', arguments: { tool: 'hubspot_search-contacts', arguments: { query: 'ada' } } });
    expect(result.structuredContent).toMatchObject({ total: 1 });
  });

  it('lets a person connect an app that is not connected yet: connect-app → the link → the emulator’s connection page → the tools appear', async () => {
    expect(output).toMatch(/Connect\s+[a-z, -]*asana, jira: not connected yet/);
    const { client } = await connectHttp(base, { token, query: { mode: 'search' } });
    clients.push(client);
    const made = await client.callTool({ name: 'connect-app', arguments: { app: 'jira' } });
    const url = (made.structuredContent as { url: string }).url;
    expect(url.startsWith(`${base}/connect/`)).toBe(true);
    const opened = await openLink(url);
    expect(opened.status).toBe(302);
    expect(opened.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/embed\/integrations\/jira\/connect\?token=/);
    expect((await pressConnect(opened.location!)).text).toContain('Jira is connected');
    const found = async () => {
      const r = await client.callTool({ name: 'search-actions', arguments: { query: 'create a jira issue' } });
      return (r.structuredContent as { results: Array<{ tool: string }> }).results.map((x) => x.tool);
    };
    await waitFor('the Jira tools', async () => (await found()).includes('jira_create-issue'), { timeoutMs: 15_000, intervalMs: 250 });
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

  it('stays quiet while clients work: no audit, warn or info line after the banner (DEMO_VERBOSE=1 shows them)', async () => {
    // The tests above called tools (one audit line each when shown) and hit failing actions (warn lines).
    await new Promise((r) => setTimeout(r, 300));
    const after = output.slice(output.lastIndexOf('─'));
    expect(after).not.toMatch(/"level"|"msg":"tool call"|\[Nest\]/);
    expect(after.trim()).toMatch(/^─+$/);
  });
});
