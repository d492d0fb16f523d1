/**
 * The legacy `/sse` URL with clients of both transports (SPEC §1): legacy HTTP+SSE clients open
 * their stream with a plain `GET /sse`; clients that speak only Streamable HTTP (Mastra 2, the SDK v2
 * client) or try it first (SDK v1 Streamable-HTTP-then-SSE) POST to the same URL and complete there,
 * in both eras — before, `POST /sse` answered 404 and Mastra 2 ended with 0 tools.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { connectSse, connectStateless, INIT_BODY, rawPost } from './support/mcp-client';
import { e2eFixture } from './support/e2e-fixture';

jest.setTimeout(60_000);

/** Runs examples/clients/mastra.mjs (Mastra's MCPClient) as a user would; its "tools:" and "result:" lines. */
function mastra(env: Record<string, string>): Promise<{ tools: string[]; result: string }> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [join(__dirname, '..', 'examples', 'clients', 'mastra.mjs')],
      { env: { ...process.env, ...env }, timeout: 50_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`mastra.mjs failed: ${err.message}\n${stdout}\n${stderr}`));
        const line = (p: string) =>
          stdout
            .split('\n')
            .find((l) => l.startsWith(p))
            ?.slice(p.length) ?? '';
        resolve({ tools: line('tools: ').split(', '), result: line('result: ') });
      },
    ),
  );
}

/** The SDK v1 backwards-compatibility pattern: Streamable HTTP first, the legacy SSE transport on failure. */
async function connectWithFallback(url: URL, headers: Record<string, string>): Promise<{ client: Client; used: string }> {
  const client = new Client({ name: 'fallback-client', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
    return { client, used: 'streamable-http' };
  } catch {
    const sse = new Client({ name: 'fallback-client', version: '1.0.0' });
    await sse.connect(
      new SSEClientTransport(url, {
        requestInit: { headers },
        eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) },
      }),
    );
    return { client: sse, used: 'sse' };
  }
}

describe('The /sse URL with Streamable HTTP clients (fallback) and legacy SSE clients', () => {
  let emulator: Emulator;
  let app: RunningApp;
  let token: string;
  const clients: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    app = await startApp({ INTEGRATION_APP_API_URL: emulator.url, RATE_LIMIT_PER_MINUTE: '10000' });
    token = emulator.token('cust-1');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await app.close();
    await emulator.close();
  });

  it('Mastra (@mastra/mcp 2, Streamable HTTP only) given the /sse URL lists the tools and runs one', async () => {
    const { tools, result } = await mastra({ TOKEN: token, MCP_URL: `${app.url}/sse` });
    expect(tools).toContain('gmail_list-emails');
    expect(result).toContain('"actionKey":"list-emails"');
  });

  it('SDK v1: Streamable HTTP on /sse completes in the session era (POST, GET stream, DELETE)', async () => {
    const { client, used } = await connectWithFallback(new URL(`${app.url}/sse`), { Authorization: `Bearer ${token}` });
    clients.push(client);
    expect(used).toBe('streamable-http');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('gmail_list-emails');
    const transport = client.transport as StreamableHTTPClientTransport;
    const sessionId = transport.sessionId!;
    const stream = await fetch(`${app.url}/sse`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream', 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' },
    });
    expect(stream.status).toBe(200);
    await stream.body?.cancel();
    await transport.terminateSession();
    const after = await rawPost(
      app.url,
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': sessionId },
      '/sse',
    );
    expect(after.status).toBe(404);
  });

  it('SDK v2 pinned to 2026-07-28 on /sse: stateless, like /mcp', async () => {
    const { client } = await connectStateless(app.url, { token, path: '/sse' });
    clients.push(client);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('gmail_list-emails');
  });

  it('legacy SSE clients still get the endpoint event from a plain GET /sse', async () => {
    const { client } = await connectSse(app.url, { token });
    clients.push(client);
    const result = await client.callTool({ name: 'gmail_list-labels', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: '["inbox","work"]' }]);
  });

  it('POST /sse is authenticated like /mcp: 401 without a token, and mode paths do not exist under it', async () => {
    const res = await rawPost(app.url, INIT_BODY, {}, '/sse');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const modePath = await rawPost(app.url, INIT_BODY, { Authorization: `Bearer ${token}` }, '/sse/search');
    expect(modePath.status).toBe(404);
  });
});
