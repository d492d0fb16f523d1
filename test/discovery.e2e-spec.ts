/**
 * Discovery tools (SPEC §12) through the real MCP SDK client: search mode's four fixed tools,
 * search and describe in dynamic mode, and run tools that behave exactly like direct calls.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { connectHttp } from './support/mcp-client';
import { e2eFixture } from './support/e2e-fixture';

type Text = Array<{ type: string; text: string }>;
interface SearchOutcome {
  results: Array<{ tool: string; integration: string; title: string; description: string; readOnly: boolean; score: number }>;
  total: number;
}

describe('Discovery tools', () => {
  let emulator: Emulator;
  let server: RunningApp;
  const clients: Client[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    server = await startApp({ INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_SECRET: undefined });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await server.close();
    await emulator.close();
  });
  beforeEach(() => emulator.clearFaults());

  async function client(query: Record<string, string>): Promise<Client> {
    const { client: c } = await connectHttp(server.url, { token: emulator.token('cust-1'), query });
    clients.push(c);
    return c;
  }
  const search = async (c: Client, args: Record<string, unknown>) =>
    (await c.callTool({ name: 'search-actions', arguments: args }, CallToolResultSchema)).structuredContent as unknown as SearchOutcome;

  it('lists exactly the four discovery tools (and the connect tools, SPEC §16) in search mode, each with an output schema, and the list never changes', async () => {
    const c = await client({ mode: 'search' });
    const first = (await c.listTools()).tools;
    expect(first.map((t) => t.name)).toEqual([
      'search-actions',
      'describe-actions',
      'run-read-action',
      'run-action',
      'get-action-result',
      'list-apps',
      'connect-app',
    ]);
    for (const t of first) expect(t.outputSchema).toMatchObject({ type: 'object' });
    expect(first.find((t) => t.name === 'run-action')!.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false, openWorldHint: true });
    expect(first.find((t) => t.name === 'run-read-action')!.annotations).toMatchObject({ readOnlyHint: true });
    for (const name of ['run-action', 'run-read-action']) {
      expect((first.find((t) => t.name === name)!.inputSchema.properties as Record<string, Record<string, unknown>>).tool['x-mcp-header']).toBe('Tool');
    }
    await c.callTool({ name: 'run-action', arguments: { tool: 'gmail_list-labels' } }, CallToolResultSchema);
    expect((await c.listTools()).tools).toEqual(first);
  });

  it('finds actions by what they do, best first, with the result shape of SPEC §12 and no upstream request', async () => {
    const c = await client({ mode: 'search' });
    await c.listTools();
    // The first search of an identity reads the apps it has not connected (once per CATALOG_TTL_SECONDS); no query costs a request.
    await search(c, { query: 'warm up' });
    emulator.clearRequests();
    const found = await search(c, { query: 'send an email to a colleague' });
    expect(found.results[0]).toMatchObject({ tool: 'gmail_send-email', integration: 'gmail', title: 'Gmail: Send Email', readOnly: false, score: 1 });
    expect(found.total).toBeGreaterThanOrEqual(found.results.length);
    const labels = await search(c, { query: 'which labels do I have', limit: 3 });
    expect(labels.results[0]).toMatchObject({ tool: 'gmail_list-labels', readOnly: true });
    expect(labels.results.length).toBeLessThanOrEqual(3);
    // The app named in the query, or `apps`, narrows the results.
    expect((await search(c, { query: 'post a message on slack' })).results.every((r) => r.integration === 'slack')).toBe(true);
    expect((await search(c, { query: 'send', apps: ['slack'] })).results.map((r) => r.tool)).toEqual(['slack_send-message']);
    expect(emulator.requests).toHaveLength(0);
  });

  it('answers bad search arguments with an isError naming the field', async () => {
    const c = await client({ mode: 'search' });
    const bad = await c.callTool({ name: 'search-actions', arguments: { query: 'x', limit: 500 } }, CallToolResultSchema);
    expect(bad.isError).toBe(true);
    expect((bad.content as Text)[0].text).toContain('"limit"');
  });

  it('describes actions with their schemas, and unknown names with suggestions', async () => {
    const c = await client({ mode: 'search' });
    const described = await c.callTool({ name: 'describe-actions', arguments: { tools: ['gmail_send-email', 'gmail_send-emial'] } }, CallToolResultSchema);
    const outcome = described.structuredContent as { tools: Array<Record<string, unknown>>; unknown: Array<{ name: string; suggestions: string[] }> };
    expect(outcome.tools).toHaveLength(1);
    expect(outcome.tools[0]).toMatchObject({
      name: 'gmail_send-email',
      title: 'Gmail: Send Email',
      inputSchema: { required: ['to', 'body'] },
      annotations: { readOnlyHint: false },
    });
    expect(outcome.unknown).toEqual([{ name: 'gmail_send-emial', suggestions: ['gmail_send-email'] }]);
  });

  it('runs an action exactly as a static-mode call does: results, validation, upstream errors, unknown tools', async () => {
    const searching = await client({ mode: 'search' });
    const direct = await client({});
    const cases: Array<[string, Record<string, unknown>]> = [
      ['gmail_send-email', { to: ['a@example.com'], body: 'hi' }],
      ['gmail_count-unread', {}],
      ['gmail_send-email', { to: [] }],
      ['gmail_fail-action', {}],
      ['slack_send-message', { channel: 'c', text: 't', connectionId: 'conn-slack-b' }],
      ['slack_send-message', { channel: 'c', text: 't', connectionId: '..' }],
    ];
    for (const [tool, args] of cases) {
      const viaRun = await searching.callTool({ name: 'run-action', arguments: { tool, arguments: args } }, CallToolResultSchema);
      const viaDirect = await direct.callTool({ name: tool, arguments: args }, CallToolResultSchema);
      // The same result; an output that is not an object also comes as structuredContent { output }.
      const output = viaDirect.isError || viaDirect.structuredContent ? {} : { structuredContent: { output: JSON.parse((viaDirect.content as Text)[0].text) } };
      expect(viaRun).toEqual({ ...viaDirect, ...output });
    }
  });

  it('answers a misspelled action in run-action / run-read-action with an isError result and suggestions, not a protocol error', async () => {
    const c = await client({ mode: 'search' });
    emulator.clearRequests();
    for (const name of ['run-action', 'run-read-action']) {
      const result = await c.callTool({ name, arguments: { tool: 'gmail_send-emial', arguments: { to: ['a@example.com'], body: 'x' } } }, CallToolResultSchema);
      expect(result.isError).toBe(true);
      const text = (result.content as Text)[0].text;
      expect(text).toMatch(/^Unknown action "gmail_send-emial": no action the user can run has that name\. Did you mean: gmail_send-email\?/);
      expect(text).toContain(`search-actions (its schema with describe-actions), then call ${name} again.`);
      expect(result.structuredContent).toEqual({
        error: { type: 'unknown_action', tool: 'gmail_send-emial', suggestions: ['gmail_send-email'], message: text },
      });
    }
    // A direct call of an unknown tool stays the protocol error of SPEC §3 (the tool itself does not exist).
    const direct = await client({});
    await expect(direct.callTool({ name: 'gmail_nope', arguments: {} }, CallToolResultSchema)).rejects.toThrow(/-32602.*Unknown tool/);
    expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('names arguments placed beside "arguments" as misplaced instead of running without them', async () => {
    const c = await client({ mode: 'search' });
    emulator.clearRequests();
    const result = await c.callTool({ name: 'run-action', arguments: { tool: 'gmail_send-email', to: ['a@example.com'], body: 'hi' } }, CallToolResultSchema);
    expect(result.isError).toBe(true);
    const text = (result.content as Text)[0].text;
    expect(text).toMatch(/^Misplaced arguments for run-action: "to", "body" must go inside "arguments", not beside "tool"\./);
    expect(text).toContain('{ "tool": "gmail_send-email", "arguments": { "to": …, "body": … } }');
    expect(text).toContain('describe-actions');
    expect(text).not.toMatch(/required/);
    expect(result.structuredContent).toMatchObject({ error: { type: 'misplaced_arguments', fields: ['to', 'body'], message: text } });
    // Bounded: hundreds of stray keys are named ten at a time, each cut.
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`${'k'.repeat(500)}${i}`, i]));
    const flood = await c.callTool({ name: 'run-read-action', arguments: { tool: 'gmail_list-labels', ...many } }, CallToolResultSchema);
    expect((flood.content as Text)[0].text).toContain('(and 290 more)');
    expect((flood.content as Text)[0].text.length).toBeLessThan(2_000);
    expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('accepts an action by its <integration>-<action> alias in run-action, like enable-tools does', async () => {
    const c = await client({ mode: 'search' });
    const viaAlias = await c.callTool({ name: 'run-read-action', arguments: { tool: 'gmail-list-labels' } }, CallToolResultSchema);
    expect(viaAlias.structuredContent).toEqual({ output: ['inbox', 'work'] });
  });

  it('runs read-only actions with run-read-action and refuses the others without touching Integration.app', async () => {
    const c = await client({ mode: 'search' });
    await c.listTools();
    const read = await c.callTool({ name: 'run-read-action', arguments: { tool: 'gmail_list-labels' } }, CallToolResultSchema);
    expect((read.content as Text)[0].text).toBe('["inbox","work"]');
    expect(read.structuredContent).toEqual({ output: ['inbox', 'work'] });
    emulator.clearRequests();
    const refused = await c.callTool({ name: 'run-read-action', arguments: { tool: 'gmail_delete-email', arguments: { id: 'm1' } } }, CallToolResultSchema);
    expect(refused.isError).toBe(true);
    expect((refused.content as Text)[0].text).toMatch(/not a read-only action: run it with run-action/);
    expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('keeps apps: a session limited to some apps can neither find nor run the others', async () => {
    const c = await client({ mode: 'search', apps: 'slack' });
    expect((await search(c, { query: 'send an email' })).results.every((r) => r.integration === 'slack')).toBe(true);
    const other = await c.callTool(
      { name: 'run-action', arguments: { tool: 'gmail_send-email', arguments: { to: ['a@example.com'], body: 'x' } } },
      CallToolResultSchema,
    );
    expect(other).toMatchObject({ isError: true, structuredContent: { error: { type: 'unknown_action' } } });
  });

  it('offers search and describe beside enable-tools in dynamic mode', async () => {
    const c = await client({ mode: 'dynamic' });
    expect((await c.listTools()).tools.map((t) => t.name)).toEqual(['enable-tools', 'search-actions', 'describe-actions']);
    const found = await search(c, { query: 'send a slack message' });
    await c.callTool({ name: 'enable-tools', arguments: { tools: [found.results[0].tool] } }, CallToolResultSchema);
    expect((await c.listTools()).tools.map((t) => t.name)).toEqual(['enable-tools', 'search-actions', 'describe-actions', 'slack_send-message']);
  });

  it('does not run listed actions directly in search mode', async () => {
    const c = await client({ mode: 'search' });
    await expect(c.callTool({ name: 'gmail_list-labels', arguments: {} }, CallToolResultSchema)).rejects.toThrow(
      /not listed in search mode; run it with run-action/,
    );
  });
});
