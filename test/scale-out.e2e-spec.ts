import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import Redis from 'ioredis';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { connectHttp, rawInitialize, rawPost, readMcpStream } from './support/mcp-client';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { startPrivateRedis, PrivateRedis, testRedisUrl } from './support/redis-server';
import { waitFor, within } from './support/wait';

const SHARED_REDIS = testRedisUrl();

/** Reads SSE events from a fetch response until `predicate` matches one. */
async function readEvents(res: Response, predicate: (data: string) => boolean, timeoutMs = 5000): Promise<string[]> {
  const reader = res.body!.getReader();
  const events: string[] = [];
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const chunk = await within(reader.read(), deadline - Date.now(), null);
      if (!chunk) break;
      const { value, done } = chunk;
      if (done) break;
      buf += new TextDecoder().decode(value);
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const event = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = event
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (data) events.push(data);
        if (data && predicate(data)) return events;
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  throw new Error(`event not seen; got ${JSON.stringify(events)}`);
}

describe('Scale-out: two replicas sharing Redis', () => {
  let emulator: Emulator;
  let a: RunningApp;
  let b: RunningApp;
  let token: string;
  const clients: Client[] = [];
  const prefix = `e2e:${randomUUID()}:`;

  const env = () => ({
    INTEGRATION_APP_API_URL: emulator.url,
    INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
    INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE,
    REDIS_URL: SHARED_REDIS,
    REDIS_KEY_PREFIX: prefix,
  });

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    a = await startApp(env());
    b = await startApp(env());
    token = emulator.token('cust-1');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await a?.close().catch(() => undefined);
    await b?.close();
    await emulator?.close();
  });

  const post = (app: RunningApp, sessionId: string, body: unknown) => rawPost(app.url, body, { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': sessionId });

  it('serves a session opened on A from B: tools/list, enable-tools, tools/call, DELETE', async () => {
    const id = await rawInitialize(a.url, token, '?mode=dynamic');
    const list = await post(b, id, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(list.status).toBe(200);
    expect((list.json as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name)).toEqual([
      'enable-tools',
      'search-actions',
      'describe-actions',
    ]);
    const enable = await post(b, id, {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'enable-tools', arguments: { tools: ['gmail_count-unread'] } },
    });
    expect(enable.status).toBe(200);
    // Dynamic-mode state written by B is what A serves.
    const call = await post(a, id, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'gmail_count-unread', arguments: {} } });
    expect(call.json).toMatchObject({ result: { content: [{ type: 'text', text: '0' }] } });
    const del = await fetch(`${b.url}/mcp`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id } });
    expect(del.status).toBe(200);
    expect((await post(a, id, { jsonrpc: '2.0', id: 5, method: 'tools/list' })).status).toBe(404);
  });

  it('moves a real SDK client between replicas mid-session', async () => {
    const { client, transport } = await connectHttp(a.url, { token });
    clients.push(client);
    const sessionId = transport.sessionId!;
    const { client: onB } = await connectHttp(b.url, { token, sessionId });
    clients.push(onB);
    const result = await onB.callTool({ name: 'gmail_list-labels', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: '["inbox","work"]' }]);
  });

  it('shows the same chat sessions on every replica', async () => {
    const t = emulator.token('cust-chat-scale');
    const id = await rawInitialize(a.url, t, '', { 'x-chat-id': 'chat-x' });
    for (const app of [a, b]) {
      const res = await fetch(`${app.url}/mcp/sessions`, { headers: { Authorization: `Bearer ${t}` } });
      expect(await res.json()).toEqual({ 'chat-x': id });
    }
  });

  it('delivers list_changed to a GET stream held by A when B enables tools', async () => {
    const id = await rawInitialize(a.url, token, '?mode=dynamic');
    // B enables tools as soon as A's stream is open (its ': stream open' comment), not after a guessed delay.
    const onA = await readMcpStream(a.url, token, id, {
      until: (e) => e.data.includes('notifications/tools/list_changed'),
      onOpen: async () =>
        void (await post(b, id, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'enable-tools', arguments: { tools: ['slack'] } } })),
      timeoutMs: 5000,
    });
    expect(onA.status).toBe(200);
    expect(onA.events.map((e) => e.data).pop()).toContain('list_changed');
  });

  it('relays legacy SSE messages posted to B to the stream held by A', async () => {
    const stream = await fetch(`${a.url}/sse`, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } });
    let sessionId = '';
    const events = readEvents(stream, (d) => {
      if (d.startsWith('/sse/messages')) sessionId = /sessionId=([0-9a-f-]+)/.exec(d)![1];
      return d.includes('"id":7');
    });
    await waitFor('the endpoint event of the SSE stream', () => sessionId !== '');
    const res = await fetch(`${b.url}/sse/messages?sessionId=${sessionId}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'gmail_count-unread', arguments: {} } }),
    });
    expect(res.status).toBe(202);
    const last = JSON.parse((await events).pop()!);
    expect(last).toMatchObject({ id: 7, result: { content: [{ type: 'text', text: '0' }] } });
  });

  it('replays missed notifications to a GET stream resumed on B after it dropped on A (Last-Event-ID)', async () => {
    const id = await rawInitialize(a.url, token, '?mode=dynamic');
    const enable = (app: RunningApp, tool: string, n: number) =>
      post(app, id, { jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'enable-tools', arguments: { tools: [tool] } } });
    const missed: string[] = [];
    const onA = await readMcpStream(a.url, token, id, {
      until: (e) => e.data.includes('list_changed'),
      onOpen: async () => void (await enable(b, 'gmail_count-unread', 1)),
      // Two more changes (through A and B) go to A's stream, and the connection drops before the client reads them.
      beforeClose: async () => {
        missed.push((await enable(a, 'gmail_list-labels', 2)).text);
        missed.push((await enable(b, 'gmail_get-profile', 3)).text);
      },
    });
    const seen = onA.events[0].id!;
    expect(seen).toMatch(/^\d+-\d+$/);
    for (const answer of missed) expect(answer).not.toContain('list_changed');
    const onB = await readMcpStream(b.url, token, id, { lastEventId: seen, timeoutMs: 800 });
    expect(onB.events.map((e) => JSON.parse(e.data).method)).toEqual(['notifications/tools/list_changed', 'notifications/tools/list_changed']);
    // DELETE drops the session's event log with it.
    await fetch(`${b.url}/mcp`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id } });
    const raw = new Redis(SHARED_REDIS);
    try {
      expect(await raw.exists(`${prefix}events:${id}`)).toBe(0);
    } finally {
      await raw.quit();
    }
  });

  it('ends the GET streams on A when the session is deleted through B', async () => {
    const id = await rawInitialize(a.url, token);
    const stream = await fetch(`${a.url}/mcp`, { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    await reader.read(); // ": stream open"
    const del = await fetch(`${b.url}/mcp`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id } });
    expect(del.status).toBe(200);
    const ended = await within(
      (async () => {
        for (;;) if ((await reader.read()).done) return true;
      })(),
      3000,
      false,
    );
    expect(ended).toBe(true);
  });

  it('cancels a tool call running on A when the cancellation reaches B', async () => {
    const id = await rawInitialize(a.url, token);
    const remove = emulator.addFault({ method: 'POST', path: '/connections/conn-gmail/actions/list-labels/run', delayMs: 5000 });
    emulator.clearRequests();
    try {
      const started = Date.now();
      const running = post(a, id, { jsonrpc: '2.0', id: 41, method: 'tools/call', params: { name: 'gmail_list-labels', arguments: {} } });
      const deadline = Date.now() + 3000;
      while (!emulator.requests.some((r) => r.path.endsWith('/list-labels/run')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const cancel = await post(b, id, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 41, reason: 'stop' } });
      expect(cancel.status).toBe(202);
      expect((await running).status).toBe(202);
      expect(Date.now() - started).toBeLessThan(3000);
      await waitFor('the upstream run to be abandoned', () => emulator.requests.find((r) => r.path.endsWith('/list-labels/run'))?.abandoned === true, {
        timeoutMs: 3000,
      });
    } finally {
      remove();
    }
  });

  it('loses no session when a replica dies', async () => {
    const id = await rawInitialize(a.url, token);
    await a.close();
    const res = await post(b, id, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(res.status).toBe(200);
  });
});

describe('Scale-out: Redis failures', () => {
  let emulator: Emulator;
  let redis: PrivateRedis;
  let app: RunningApp;
  let token: string;

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    redis = await startPrivateRedis();
    app = await startApp({ INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_SECRET: SECRET, REDIS_URL: redis.url });
    token = emulator.token('cust-1');
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    await redis?.cleanup();
    await emulator?.close();
  });

  it('starts with Redis down: says so, fails readiness, answers 503 JSON-RPC, stays alive', async () => {
    const dead = await startApp({
      INTEGRATION_APP_API_URL: emulator.url,
      INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_READY_TIMEOUT_MS: '300',
    });
    try {
      expect(dead.logs.lines.join('\n')).toContain('Cannot connect to Redis at 127.0.0.1:1');
      expect((await fetch(`${dead.url}/health/ready`)).status).toBe(503);
      const res = await rawPost(
        dead.url,
        { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } },
        { Authorization: `Bearer ${token}` },
      );
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringContaining('Session store is unavailable') } });
      expect((await fetch(`${dead.url}/health/live`)).status).toBe(200);
    } finally {
      await dead.close();
    }
  }, 30_000);

  it('answers 503 JSON-RPC while Redis is down, fails readiness, stays up, and recovers with every acknowledged session', async () => {
    const id = await rawInitialize(app.url, token, '', { 'x-chat-id': 'survivor' });
    await redis.stop();
    const down = await rawPost(app.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id });
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringContaining('Session store is unavailable') } });
    expect((await fetch(`${app.url}/health/ready`)).status).toBe(503);
    expect((await fetch(`${app.url}/health/live`)).status).toBe(200);

    await redis.start();
    // ioredis reconnects with a backoff of up to 3 s.
    await waitFor('readiness after Redis restarted', async () => (await fetch(`${app.url}/health/ready`)).status === 200, {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    const back = await rawPost(app.url, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id });
    expect(back.status).toBe(200);
    expect(await (await fetch(`${app.url}/mcp/sessions`, { headers: { Authorization: `Bearer ${token}` } })).json()).toEqual({ survivor: id });
  }, 40_000);
});
