import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { connectHttp, connectSse, INIT_BODY, openRawSse, rawInitialize, rawPost, readMcpStream } from './support/mcp-client';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';

type TextContent = Array<{ type: string; text: string }>;

describe('Seed parity: dynamic mode, apps filter, chat sessions, legacy SSE', () => {
  let emulator: Emulator;
  let server: RunningApp;
  let token1: string;
  let token2: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    server = await startApp({
      INTEGRATION_APP_API_URL: emulator.url,
      INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE,
      INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
    });
    token1 = emulator.token('cust-1');
    token2 = emulator.token('cust-2');
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await server?.close();
    await emulator?.close();
  });

  const track = <T extends { client: Client }>(x: T): T => {
    clients.push(x.client);
    return x;
  };

  describe('dynamic mode', () => {
    it('lists only enable-tools at first', async () => {
      const { client } = track(await connectHttp(server.url, { token: token1, query: { mode: 'dynamic' } }));
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['enable-tools', 'search-actions', 'describe-actions']);
      expect(tools[0].description).toContain('gmail');
    });

    it('enables listed names, seed-style dash names and bare integration keys; reports unknowns with matches', async () => {
      const { client } = track(await connectHttp(server.url, { token: token1, query: { mode: 'dynamic' } }));
      const changed = jest.fn();
      client.setNotificationHandler(ToolListChangedNotificationSchema, changed);
      const result = await client.callTool({
        name: 'enable-tools',
        arguments: { tools: ['gmail-send-email', 'slack', 'gmail_list-emails', 'gmail_snd-email', 'nope'] },
      });
      expect(result.isError).toBeFalsy();
      const outcome = result.structuredContent as { enabled: string[]; unknown: Array<{ name: string; suggestions: string[] }> };
      expect(outcome.enabled.sort()).toEqual(['gmail_list-emails', 'gmail_send-email', 'slack_send-message']);
      expect(outcome.unknown).toEqual([
        { name: 'gmail_snd-email', suggestions: ['gmail_send-email'] },
        { name: 'nope', suggestions: [] },
      ]);
      expect((result.content as TextContent)[0].text).toMatch(/Enabled 3 tool\(s\)/);
      expect(changed).toHaveBeenCalled();
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        'describe-actions',
        'enable-tools',
        'gmail_list-emails',
        'gmail_send-email',
        'search-actions',
        'slack_send-message',
      ]);
    });

    it("sends list_changed on the enable-tools request's own stream (clients without a GET stream see it)", async () => {
      const id = await rawInitialize(server.url, token1, '?mode=dynamic');
      const res = await rawPost(
        server.url,
        { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'enable-tools', arguments: { tools: ['gmail-send-email'] } } },
        { Authorization: `Bearer ${token1}`, 'Mcp-Session-Id': id },
      );
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const events = res.text
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => JSON.parse(l.slice(6)));
      expect(events[0]).toEqual({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
      expect(events[1]).toMatchObject({ id: 5, result: { structuredContent: { enabled: ['gmail_send-email'] } } });
    });

    it('numbers GET-stream notifications and replays the missed ones to a stream resumed with Last-Event-ID', async () => {
      const id = await rawInitialize(server.url, token1, '?mode=dynamic');
      const headers = { Authorization: `Bearer ${token1}`, 'Mcp-Session-Id': id };
      const enable = (tool: string, n: number) =>
        rawPost(server.url, { jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'enable-tools', arguments: { tools: [tool] } } }, headers);
      // A stream sees the first list_changed, with an event id.
      const missed: string[] = [];
      const first = await readMcpStream(server.url, token1, id, {
        until: (e) => e.data.includes('list_changed'),
        onOpen: async () => void (await enable('gmail_count-unread', 1)),
        // Two more changes go to that stream (not to the POST answers), and the connection drops before the client reads them.
        beforeClose: async () => {
          for (const [tool, n] of [
            ['gmail_list-labels', 2],
            ['gmail_get-profile', 3],
          ] as const)
            missed.push((await enable(tool, n)).text);
        },
      });
      expect(first.events).toHaveLength(1);
      const seen = first.events[0].id!;
      expect(seen).toMatch(/^\d+$/);
      for (const answer of missed) expect(answer).not.toContain('list_changed');
      const resumed = await readMcpStream(server.url, token1, id, { lastEventId: seen, timeoutMs: 800 });
      expect(resumed.status).toBe(200);
      expect(resumed.events.map((e) => JSON.parse(e.data).method)).toEqual(['notifications/tools/list_changed', 'notifications/tools/list_changed']);
      const ids = resumed.events.map((e) => Number(e.id));
      expect(ids[0]).toBeGreaterThan(Number(seen));
      expect(ids[1]).toBeGreaterThan(ids[0]);
      // Resuming from the newest id replays nothing; another session's ids replay nothing either.
      expect((await readMcpStream(server.url, token1, id, { lastEventId: String(ids[1]), timeoutMs: 500 })).events).toEqual([]);
      const other = await rawInitialize(server.url, token1, '?mode=dynamic');
      expect((await readMcpStream(server.url, token1, other, { lastEventId: seen, timeoutMs: 500 })).events).toEqual([]);
      // With no stream open, a change goes on the POST answer and is not replayed later (it was delivered).
      expect((await enable('gmail_list-emails', 4)).text).toContain('notifications/tools/list_changed');
      expect((await readMcpStream(server.url, token1, id, { lastEventId: String(ids[1]), timeoutMs: 500 })).events).toEqual([]);
    });

    it('makes enabled tools callable at once, and repeated calls add', async () => {
      const { client } = track(await connectHttp(server.url, { token: token1, query: { mode: 'dynamic' } }));
      await expect(client.request({ method: 'tools/call', params: { name: 'gmail_count-unread', arguments: {} } }, CallToolResultSchema)).rejects.toMatchObject(
        {
          code: -32602,
          message: expect.stringContaining('not enabled'),
        },
      );
      await client.callTool({ name: 'enable-tools', arguments: { tools: ['gmail_count-unread'] } });
      const run = await client.callTool({ name: 'gmail_count-unread', arguments: {} });
      expect(run.content).toEqual([{ type: 'text', text: '0' }]);
      await client.callTool({ name: 'enable-tools', arguments: { tools: ['gmail_list-labels'] } });
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['gmail_count-unread', 'gmail_list-labels']));
    });

    it('answers when nothing matched, without pretending success', async () => {
      const { client } = track(await connectHttp(server.url, { token: token1, query: { mode: 'dynamic' } }));
      const result = await client.callTool({ name: 'enable-tools', arguments: { tools: ['zzz'] } });
      expect(result.isError).toBe(true);
      expect((result.content as TextContent)[0].text).toContain('No tools were enabled');
    });

    it('fetches nothing upstream beyond the cached catalog', async () => {
      const { client } = track(await connectHttp(server.url, { token: token1, query: { mode: 'dynamic' } }));
      await client.listTools();
      emulator.clearRequests();
      await client.callTool({ name: 'enable-tools', arguments: { tools: ['gmail'] } });
      await client.listTools();
      expect(emulator.requests).toEqual([]);
    });

    it('rejects an unknown mode with 400 naming the allowed values', async () => {
      const res = await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${token1}` }, '/mcp?mode=turbo');
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: { message: expect.stringMatching(/static.*dynamic/) } });
    });
  });

  describe('apps filter', () => {
    it('limits static tools to the given integrations', async () => {
      const { client } = track(await connectHttp(server.url, { token: token1, query: { apps: 'slack' } }));
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['slack_send-message']);
      await expect(client.request({ method: 'tools/call', params: { name: 'gmail_list-emails', arguments: {} } }, CallToolResultSchema)).rejects.toMatchObject({
        code: -32602,
      });
    });

    it('yields no tools for an app without a connection', async () => {
      const { client } = track(await connectHttp(server.url, { token: token1, query: { apps: 'hubspot' } }));
      expect(await client.listTools()).toEqual({ tools: [] });
    });

    it('limits what dynamic mode can enable', async () => {
      const { client } = track(await connectHttp(server.url, { token: token1, query: { apps: 'slack', mode: 'dynamic' } }));
      const result = await client.callTool({ name: 'enable-tools', arguments: { tools: ['gmail', 'slack'] } });
      expect((result.structuredContent as { enabled: string[] }).enabled).toEqual(['slack_send-message']);
    });
  });

  describe('chat sessions', () => {
    const sessionsOf = async (token: string) => {
      const res = await fetch(`${server.url}/mcp/sessions`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      return res.json();
    };

    it('returns {} when there are none, records x-chat-id, replaces on a new session, and hides other identities', async () => {
      const fresh = emulator.token('cust-chat');
      expect(await sessionsOf(fresh)).toEqual({});
      const first = await rawInitialize(server.url, fresh, '', { 'x-chat-id': 'chat-1' });
      const other = await rawInitialize(server.url, fresh, '', { 'x-chat-id': 'chat-2' });
      expect(await sessionsOf(fresh)).toEqual({ 'chat-1': first, 'chat-2': other });
      const second = await rawInitialize(server.url, fresh, '', { 'x-chat-id': 'chat-1' });
      expect(await sessionsOf(fresh)).toEqual({ 'chat-1': second, 'chat-2': other });
      expect(await sessionsOf(token2)).toEqual({});
    });

    it('removes the mapping when the session is deleted (no x-chat-id needed on DELETE)', async () => {
      const t = emulator.token('cust-chat-del');
      const id = await rawInitialize(server.url, t, '', { 'x-chat-id': 'c' });
      expect(await sessionsOf(t)).toEqual({ c: id });
      const del = await fetch(`${server.url}/mcp`, { method: 'DELETE', headers: { Authorization: `Bearer ${t}`, 'Mcp-Session-Id': id } });
      expect(del.status).toBe(200);
      expect(await sessionsOf(t)).toEqual({});
    });

    it('requires a token', async () => {
      const res = await fetch(`${server.url}/mcp/sessions`);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ statusCode: 401 });
    });
  });

  describe('legacy SSE transport', () => {
    it('lists and calls tools with the token in the header', async () => {
      const { client } = track(await connectSse(server.url, { token: token1 }));
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('gmail_send-email');
      const result = await client.callTool({ name: 'gmail_count-unread', arguments: {} });
      expect(result.content).toEqual([{ type: 'text', text: '0' }]);
    });

    it('works with ?token= (Cursor / Claude Desktop config) and never puts the token in the endpoint URL', async () => {
      const res = await fetch(`${server.url}/sse?token=${token1}`, { headers: { Accept: 'text/event-stream' } });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      expect(text).toMatch(/^event: endpoint\ndata: \/sse\/messages\?sessionId=[0-9a-f-]{36}\n\n/);
      expect(text).not.toContain(token1.split('.')[2]);

      const { client } = track(await connectSse(server.url, { query: { token: token1, mode: 'dynamic' } }));
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['enable-tools', 'search-actions', 'describe-actions']);
      const changed = jest.fn();
      client.setNotificationHandler(ToolListChangedNotificationSchema, changed);
      await client.callTool({ name: 'enable-tools', arguments: { tools: ['slack'] } });
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['enable-tools', 'search-actions', 'describe-actions', 'slack_send-message']);
      expect(changed).toHaveBeenCalled();
    });

    it('applies the apps filter', async () => {
      const { client } = track(await connectSse(server.url, { token: token1, query: { apps: 'slack' } }));
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['slack_send-message']);
    });

    it('answers a second GET /sse for an existing session at once', async () => {
      const { sessionId, reader } = await openRawSse(server.url, token1);
      const again = await fetch(`${server.url}/sse?sessionId=${sessionId}`, {
        headers: { Authorization: `Bearer ${token1}` },
        signal: AbortSignal.timeout(5000),
      });
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ error: { message: expect.stringContaining('already has an open SSE stream') } });
      const foreign = await fetch(`${server.url}/sse?sessionId=${sessionId}`, {
        headers: { Authorization: `Bearer ${token2}` },
        signal: AbortSignal.timeout(5000),
      });
      expect(foreign.status).toBe(404);
      await reader.cancel();
    });

    it('rejects messages for unknown or foreign sessions and bad bodies with JSON errors', async () => {
      const { sessionId, reader } = await openRawSse(server.url, token1);
      const post = (token: string, body: string, id = sessionId) =>
        fetch(`${server.url}/sse/messages?sessionId=${id}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body,
        });
      const foreign = await post(token2, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
      expect(foreign.status).toBe(404);
      const unknown = await post(token1, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), 'nope');
      expect(unknown.status).toBe(404);
      const malformed = await post(token1, '{oops');
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ error: { code: -32700 } });
      const notRpc = await post(token1, JSON.stringify({ hello: 'world' }));
      expect(notRpc.status).toBe(400);
      expect(await notRpc.json()).toMatchObject({ error: { code: -32600 } });
      const noAuth = await fetch(`${server.url}/sse`);
      expect(noAuth.status).toBe(401);
      await reader.cancel();
    });

    it('rejects an unknown mode on /sse with 400', async () => {
      const res = await fetch(`${server.url}/sse?mode=weird`, { headers: { Authorization: `Bearer ${token1}` } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { message: expect.stringContaining('dynamic') } });
    });
  });
});
