import { createMcpHandler, Server, type McpHttpHandler } from '@modelcontextprotocol/server';
import { DirectDispatchServer } from './protocol-onmessage.direct-dispatch';

const REVISION = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': REVISION,
  'io.modelcontextprotocol/clientInfo': { name: 'parity', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** One handler per kind of `Server`, both with the same handlers (as the stateless server factory installs them). */
function handlerOf(Kind: typeof Server): McpHttpHandler {
  return createMcpHandler(
    () => {
      const server = new Kind({ name: 'parity', version: '1' }, { capabilities: { tools: { listChanged: false } }, instructions: 'hi' });
      server.setRequestHandler('tools/list', () => ({ tools: [{ name: 'echo', inputSchema: { type: 'object' } }] }));
      server.setRequestHandler('tools/call', (req) => {
        if (req.params.name === 'boom') throw new Error('upstream down');
        return { content: [{ type: 'text', text: JSON.stringify(req.params.arguments ?? {}) }] };
      });
      return server;
    },
    { legacy: 'reject' },
  );
}

function post(handler: McpHttpHandler, body: Record<string, unknown>): Promise<Response> {
  const params = body.params as { name?: string } | undefined;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': REVISION,
    'mcp-method': String(body.method),
    ...(typeof params?.name === 'string' ? { 'mcp-name': params.name } : {}),
  };
  return handler.fetch(new Request('http://127.0.0.1/mcp', { method: 'POST', headers }), { parsedBody: body });
}

describe('DirectDispatchServer (2026-07-28 era): the SDK Server answers, byte for byte', () => {
  const sdk = handlerOf(Server);
  const ours = handlerOf(DirectDispatchServer);
  afterAll(async () => {
    await sdk.close();
    await ours.close();
  });

  const request = (id: number | string, method: string, params: Record<string, unknown> = {}) => ({
    jsonrpc: '2.0',
    id,
    method,
    params: { ...params, _meta: META },
  });

  it.each([
    ['server/discover', request(1, 'server/discover')],
    ['tools/list', request('list', 'tools/list')],
    ['tools/call', request(3, 'tools/call', { name: 'echo', arguments: { a: 1 } })],
    ['tools/call whose handler throws', request(4, 'tools/call', { name: 'boom', arguments: {} })],
    ['tools/call with invalid params', request(5, 'tools/call', { arguments: 'no name' })],
    ['an unknown method', request(6, 'prompts/list')],
    ['ping', request(7, 'ping')],
    ['a notification', { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 9, _meta: META } }],
  ])('%s', async (_what, body) => {
    const [a, b] = await Promise.all([post(sdk, body), post(ours, body)]);
    expect(b.status).toBe(a.status);
    expect(b.headers.get('content-type')).toBe(a.headers.get('content-type'));
    expect(await b.text()).toBe(await a.text());
  });
});

describe('DirectDispatchServer (2026-07-28 era): closing after the answer', () => {
  /** A handler that keeps its request's abort signal, to look at after the exchange. */
  function capturing(Kind: typeof Server, signals: AbortSignal[]): McpHttpHandler {
    return createMcpHandler(
      () => {
        const server = new Kind({ name: 'parity', version: '1' }, { capabilities: { tools: { listChanged: false } } });
        server.setRequestHandler('tools/call', (_req, extra) => {
          signals.push(extra.mcpReq.signal);
          return { content: [] };
        });
        return server;
      },
      { legacy: 'reject' },
    );
  }

  it('aborts the finished handler with the same reason as the SDK Server (no stack), and leaves the stack limit as it was', async () => {
    const sdkSignals: AbortSignal[] = [];
    const ourSignals: AbortSignal[] = [];
    const sdk = capturing(Server, sdkSignals);
    const ours = capturing(DirectDispatchServer, ourSignals);
    const limit = Error.stackTraceLimit;
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: {}, _meta: META } };
    const [a, b] = await Promise.all([post(sdk, body), post(ours, body)]);
    expect(await b.text()).toBe(await a.text());
    await new Promise((resolve) => setImmediate(resolve));
    const [sdkReason, ourReason] = [sdkSignals[0].reason as Error & { code?: unknown }, ourSignals[0].reason as Error & { code?: unknown }];
    expect(ourSignals[0].aborted).toBe(sdkSignals[0].aborted);
    expect([ourReason.name, ourReason.message, ourReason.code, ourReason.constructor]).toEqual([
      sdkReason.name,
      sdkReason.message,
      sdkReason.code,
      sdkReason.constructor,
    ]);
    expect(sdkReason.stack).toContain('\n    at ');
    expect(ourReason.stack).not.toContain('\n    at ');
    expect(Error.stackTraceLimit).toBe(limit);
    await sdk.close();
    await ours.close();
  });
});
