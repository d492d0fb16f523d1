import { createMcpHandler, Server, type McpHttpHandler } from '@modelcontextprotocol/server';
import { DirectDispatchServer } from './protocol-onmessage.direct-dispatch';
import { jsonAnswerBody } from './per-request-transport-send.json-answer';

/** Status, every header and the body text of an answer, as our transport writes it. */
async function written(response: Response): Promise<{ status: number; headers: Array<[string, string]>; body: string; settledWithoutBody: boolean }> {
  const headers: Array<[string, string]> = [];
  response.headers.forEach((value, name) => headers.push([name, value]));
  const direct = jsonAnswerBody(response);
  return { status: response.status, headers, body: direct ?? (await response.text()), settledWithoutBody: direct !== undefined };
}

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
  ])('%s', async (what, body) => {
    const [a, b] = await Promise.all([post(sdk, body), post(ours, body)]);
    const [sdkAnswer, ourAnswer] = await Promise.all([written(a), written(b)]);
    expect(sdkAnswer.settledWithoutBody).toBe(false);
    expect({ ...ourAnswer, settledWithoutBody: false }).toEqual(sdkAnswer);
    // A result answer goes through the send shortcut; errors and notifications through the SDK's send.
    expect(ourAnswer.settledWithoutBody).toBe(['server/discover', 'tools/list', 'tools/call'].includes(what));
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
    expect((await written(b)).body).toBe((await written(a)).body);
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
