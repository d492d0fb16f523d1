import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { testRedisUrl } from './support/redis-server';

/** Long enough for a second copy of a notification to arrive, if one were sent. */
const LATE_COPY_MS = 400;

interface Counted {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** list_changed notifications this client received. */
  received: () => number;
  /** Resolves once the client's GET /mcp stream is open. */
  getStreamOpen: Promise<void>;
}

/**
 * The real SDK client (which opens its GET /mcp stream after `initialized`), counting the
 * `notifications/tools/list_changed` it receives on any stream. `refuseGetStream`: the client's GET
 * gets 405, as from a server without one, so the client only has its POST response streams.
 */
async function countingClient(base: string, token: string, opts: { sessionId?: string; refuseGetStream?: boolean } = {}): Promise<Counted> {
  let opened!: () => void;
  const getStreamOpen = new Promise<void>((r) => (opened = r));
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp?mode=dynamic`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
    sessionId: opts.sessionId,
    fetch: async (url, init) => {
      if (init?.method === 'GET' && opts.refuseGetStream) return new Response(null, { status: 405 });
      const res = await fetch(url, init);
      if (init?.method === 'GET' && res.ok) opened();
      return res;
    },
  });
  const client = new Client({ name: 'list-changed-counter', version: '1.0.0' });
  let n = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void n++);
  await client.connect(transport);
  return { client, transport, received: () => n, getStreamOpen };
}

/** A raw GET /mcp stream of a session, counting the list_changed events it carries. */
async function openGetStream(base: string, token: string, sessionId: string): Promise<{ listChanged: () => number; close: () => Promise<void> }> {
  const res = await fetch(`${base}/mcp`, { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}`, 'Mcp-Session-Id': sessionId } });
  if (res.status !== 200) throw new Error(`GET /mcp answered ${res.status}`);
  const reader = res.body!.getReader();
  let text = '';
  const read = async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += new TextDecoder().decode(value);
    }
  };
  const first = await reader.read(); // ": stream open"
  text += new TextDecoder().decode(first.value);
  const reading = read().catch(() => undefined);
  return {
    listChanged: () => text.split('notifications/tools/list_changed').length - 1,
    close: async () => {
      await reader.cancel().catch(() => undefined);
      await reading;
    },
  };
}

const enable = (c: Client, tools: string[]) => c.callTool({ name: 'enable-tools', arguments: { tools } });
const settle = () => new Promise((r) => setTimeout(r, LATE_COPY_MS));

describe('notifications/tools/list_changed: one copy per change, on exactly one stream', () => {
  let emulator: Emulator;
  let single: RunningApp;
  let a: RunningApp;
  let b: RunningApp;
  let token: string;
  const clients: Client[] = [];
  const track = (c: Counted) => (clients.push(c.client), c);

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    const env = { INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE, INTEGRATION_APP_WORKSPACE_SECRET: SECRET };
    single = await startApp(env);
    const shared = { ...env, REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: `e2e:${randomUUID()}:` };
    a = await startApp(shared);
    b = await startApp(shared);
    token = emulator.token('cust-1');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all([single, a, b].map((app) => app?.close()));
    await emulator?.close();
  });

  it('a client with its GET stream open gets each change once (on the GET stream)', async () => {
    const c = track(await countingClient(single.url, token));
    await c.getStreamOpen;
    await enable(c.client, ['gmail_count-unread']);
    await settle();
    expect(c.received()).toBe(1);
    await enable(c.client, ['gmail_list-labels']);
    await settle();
    expect(c.received()).toBe(2);
  });

  it('a client without a GET stream gets each change once, on the POST response stream', async () => {
    const c = track(await countingClient(single.url, token, { refuseGetStream: true }));
    await enable(c.client, ['gmail_count-unread']);
    await settle();
    expect(c.received()).toBe(1);
  });

  it('no change is announced when nothing new was enabled', async () => {
    const c = track(await countingClient(single.url, token));
    await c.getStreamOpen;
    await enable(c.client, ['gmail_count-unread']);
    await enable(c.client, ['gmail_count-unread']);
    await settle();
    expect(c.received()).toBe(1);
  });

  it('across replicas: one copy in total, on the newest GET stream of the session (wherever it is)', async () => {
    const onA = track(await countingClient(a.url, token));
    await onA.getStreamOpen;
    // A second GET stream of the same session, through replica B: now the newest.
    const onB = await openGetStream(b.url, token, onA.transport.sessionId!);
    await enable(onA.client, ['gmail_count-unread']);
    await settle();
    expect(onA.received() + onB.listChanged()).toBe(1);
    expect(onB.listChanged()).toBe(1);
    // B's stream closes: A's stream takes the session's notifications over.
    await onB.close();
    await settle();
    await enable(onA.client, ['gmail_list-labels']);
    await settle();
    expect(onA.received()).toBe(1);
    expect(onB.listChanged()).toBe(1);
  });

  it('the legacy SSE transport sends each change once on its one stream', async () => {
    const transport = new SSEClientTransport(new URL(`${single.url}/sse?mode=dynamic`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
      eventSourceInit: {
        fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${token}` } }),
      },
    });
    const client = new Client({ name: 'sse-counter', version: '1.0.0' });
    clients.push(client);
    let n = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void n++);
    await client.connect(transport);
    await enable(client, ['gmail_count-unread']);
    await settle();
    expect(n).toBe(1);
  });
});
