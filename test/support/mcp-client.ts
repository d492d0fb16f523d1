import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { within } from './wait';

export interface ConnectOptions {
  token?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  sessionId?: string;
  /** The MCP endpoint: `/mcp` (default), or a mode path such as `/mcp/search`. */
  path?: string;
}

function urlOf(base: string, path: string, query?: Record<string, string>): URL {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
  return url;
}

/** A real MCP SDK client over Streamable HTTP. */
export async function connectHttp(base: string, opts: ConnectOptions = {}): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  const transport = new StreamableHTTPClientTransport(urlOf(base, opts.path ?? '/mcp', opts.query), { requestInit: { headers }, sessionId: opts.sessionId });
  const client = new Client({ name: 'e2e-client', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

/** A real MCP SDK client over the legacy HTTP+SSE transport. */
export async function connectSse(base: string, opts: ConnectOptions = {}): Promise<{ client: Client; transport: SSEClientTransport }> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  const transport = new SSEClientTransport(urlOf(base, '/sse', opts.query), {
    requestInit: { headers },
    eventSourceInit: {
      fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
    },
  });
  const client = new Client({ name: 'e2e-sse-client', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

export const INIT_BODY = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
};

export const MCP_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

/** Raw POST /mcp with fetch, for the cases a well-behaved SDK client never produces. */
export async function rawPost(
  base: string,
  body: unknown,
  headers: Record<string, string> = {},
  path = '/mcp',
): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const res = await fetch(new URL(path, base), {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const data = text.split('\n').find((l) => l.startsWith('data: '));
    try {
      json = data ? JSON.parse(data.slice(6)) : undefined;
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Opens a session with a raw initialize and returns its id. */
export async function rawInitialize(base: string, token: string, query = '', extraHeaders: Record<string, string> = {}): Promise<string> {
  const res = await rawPost(base, INIT_BODY, { Authorization: `Bearer ${token}`, ...extraHeaders }, `/mcp${query}`);
  const id = res.headers.get('mcp-session-id');
  if (res.status !== 200 || !id) throw new Error(`initialize failed: ${res.status} ${res.text}`);
  return id;
}

/** Opens a raw legacy SSE stream and reads its `endpoint` event; returns the session id and the open reader. */
export async function openRawSse(
  base: string,
  token: string,
): Promise<{ sessionId: string; firstEvent: string; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const res = await fetch(`${base}/sse`, { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET /sse answered ${res.status}`);
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
  return { sessionId: /sessionId=([0-9a-f-]+)/.exec(text)![1], firstEvent: text, reader };
}

export interface SseEvent {
  id?: string;
  data: string;
}

/**
 * Opens GET /mcp (optionally resuming with Last-Event-ID) and reads events until `until` matches one
 * (or `timeoutMs` passes, returning what came); the stream is closed afterwards. `beforeClose` runs
 * while the stream is still open but no longer read (events sent meanwhile are lost with the connection).
 */
export async function readMcpStream(
  base: string,
  token: string,
  sessionId: string,
  opts: { lastEventId?: string; until?: (e: SseEvent) => boolean; timeoutMs?: number; onOpen?: () => Promise<void>; beforeClose?: () => Promise<void> } = {},
): Promise<{ status: number; events: SseEvent[] }> {
  const res = await fetch(`${base}/mcp`, {
    headers: {
      Accept: 'text/event-stream',
      Authorization: `Bearer ${token}`,
      'Mcp-Session-Id': sessionId,
      ...(opts.lastEventId ? { 'Last-Event-ID': opts.lastEventId } : {}),
    },
  });
  if (res.status !== 200) return { status: res.status, events: [] };
  const reader = res.body!.getReader();
  const events: SseEvent[] = [];
  let buf = '';
  const deadline = Date.now() + (opts.timeoutMs ?? 3000);
  let opened = false;
  try {
    while (Date.now() < deadline) {
      const chunk = await within(reader.read(), deadline - Date.now(), null);
      if (!chunk || chunk.done) break;
      buf += new TextDecoder().decode(chunk.value);
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const lines = block.split('\n');
        const data = lines
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
        if (!data) {
          if (!opened && block.startsWith(': stream open')) {
            opened = true;
            await opts.onOpen?.();
          }
          continue;
        }
        const event = { ...(id ? { id } : {}), data };
        events.push(event);
        if (opts.until?.(event)) return { status: 200, events };
      }
    }
    return { status: 200, events };
  } finally {
    await opts.beforeClose?.();
    await reader.cancel().catch(() => undefined);
  }
}

/** The 2026-07-28 revision: stateless, no initialize, `_meta` on every request. */
export const STATELESS_REVISION = '2026-07-28';

/**
 * A real MCP SDK v2 client (`@modelcontextprotocol/client`) pinned to the 2026-07-28 revision
 * over Streamable HTTP: it opens with `server/discover` and sends no session id, ever.
 */
export async function connectStateless(
  base: string,
  opts: ConnectOptions = {},
): Promise<{ client: import('@modelcontextprotocol/client').Client; transport: import('@modelcontextprotocol/client').StreamableHTTPClientTransport }> {
  const v2 = await import('@modelcontextprotocol/client');
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  const transport = new v2.StreamableHTTPClientTransport(urlOf(base, opts.path ?? '/mcp', opts.query), { requestInit: { headers } });
  const client = new v2.Client({ name: 'e2e-v2-client', version: '1.0.0' }, { versionNegotiation: { mode: { pin: STATELESS_REVISION } } });
  await client.connect(transport);
  return { client, transport };
}

/** `params._meta` of a hand-built 2026-07-28 request. */
export const STATELESS_META = {
  'io.modelcontextprotocol/protocolVersion': STATELESS_REVISION,
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** A raw 2026-07-28 request: the body with `_meta`, and the headers the revision requires. */
export function statelessPost(
  base: string,
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  path = '/mcp',
): ReturnType<typeof rawPost> {
  const name: Record<string, string> = typeof params.name === 'string' ? { 'Mcp-Name': params.name } : {};
  return rawPost(
    base,
    { jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: STATELESS_META } },
    { 'MCP-Protocol-Version': STATELESS_REVISION, 'Mcp-Method': method, ...name, ...headers },
    path,
  );
}
