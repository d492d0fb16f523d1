/**
 * Parity of our shortcuts around the MCP SDK with the SDK's own path, byte for byte:
 * - the hot path (`JsonExchangeTransport`, which dispatches through the SDK `Server`'s private
 *   `_onrequest`) against the SDK's `StreamableHTTPServerTransport` with JSON responses;
 * - the pre-serialized static `tools/list` (`tools-list-handler.cached-tool-list.ts`) against the SDK `Server`'s answer.
 * Both sides serve the same stored session through the same `McpServerFactory`. The suite runs twice:
 * with tracing off, and with tracing on (OTLP traces configured, to a local receiver), where the
 * `_onrequest` hooks of src/mcp/sdk/protocol-dispatch.hooks.ts wrap every dispatch of the SDK `Server`.
 * (The shortcuts all live in src/mcp/sdk/; docs/architecture.md lists them.)
 */
import { createServer, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { identityOf } from '../src/auth/identity';
import { McpServerFactory } from '../src/mcp/mcp-server.factory';
import { SessionsService } from '../src/sessions/sessions.service';
import { startEmulator, Emulator } from './emulator/emulator';
import { e2eFixture, WORKSPACE } from './support/e2e-fixture';
import { startApp, RunningApp } from './support/app';
import { MCP_HEADERS, rawInitialize } from './support/mcp-client';
import { OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver';
import { RequestTracer } from '../src/mcp/request-tracer';

describe.each([
  ['tracing off', false],
  ['tracing on', true],
])('SDK parity of the fast paths (%s)', (_tracing, traced) => {
  let emulator: Emulator;
  let receiver: OtlpReceiver | undefined;
  let server: RunningApp;
  let sdkPath: HttpServer;
  let sdkUrl: string;

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    receiver = traced ? await startOtlpReceiver() : undefined;
    server = await startApp({
      INTEGRATION_APP_API_URL: emulator.url,
      INTEGRATION_APP_WORKSPACE_SECRET: undefined,
      ...(receiver
        ? { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50' }
        : {}),
    });
    const factory = server.app.get(McpServerFactory);
    const sessions = server.app.get(SessionsService);
    // The SDK's own Streamable HTTP transport, serving the session named in the header.
    sdkPath = createServer((req: IncomingMessage, res: ServerResponse) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        void (async () => {
          const id = req.headers['x-session'] as string;
          const record = (await sessions.peek(id, identityOf(WORKSPACE, req.headers['x-customer'] as string).key))!;
          const mcp = factory.create(record, record.mode);
          const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
          await mcp.connect(transport);
          await transport.handleRequest(req, res, JSON.parse(raw));
        })();
      });
    });
    await new Promise<void>((r) => sdkPath.listen(0, '127.0.0.1', r));
    sdkUrl = `http://127.0.0.1:${(sdkPath.address() as AddressInfo).port}/mcp`;
  });
  afterAll(async () => {
    await new Promise((r) => sdkPath.close(r));
    await server.close();
    await emulator.close();
    await receiver?.close();
  });

  async function both(query: string, body: unknown): Promise<{ ours: string; sdk: string }> {
    const token = emulator.token('cust-1');
    const session = await rawInitialize(server.url, token, query);
    const ours = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, Authorization: `Bearer ${token}`, 'Mcp-Session-Id': session },
      body: JSON.stringify(body),
    });
    const sdk = await fetch(sdkUrl, { method: 'POST', headers: { ...MCP_HEADERS, 'x-session': session, 'x-customer': 'cust-1' }, body: JSON.stringify(body) });
    expect(ours.status).toBe(sdk.status);
    return { ours: await ours.text(), sdk: await sdk.text() };
  }

  const call = (id: number, name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

  it.each([
    ['static tools/list (pre-serialized)', '', { jsonrpc: '2.0', id: 1, method: 'tools/list' }],
    ['static tools/list limited by apps', '?apps=slack', { jsonrpc: '2.0', id: 'list', method: 'tools/list' }],
    ['dynamic tools/list', '?mode=dynamic', { jsonrpc: '2.0', id: 2, method: 'tools/list' }],
    ['tools/call with structured output', '', call(3, 'gmail_send-email', { to: ['a@example.com'], body: 'hi' })],
    ['tools/call with a falsy output', '', call(4, 'gmail_count-unread', {})],
    ['tools/call with invalid arguments', '', call(5, 'gmail_send-email', { to: [] })],
    ['tools/call failing upstream', '', call(6, 'gmail_fail-action', {})],
    ['tools/call of an unknown tool', '', call(7, 'gmail_nope', {})],
    ['a batch', '', [{ jsonrpc: '2.0', id: 8, method: 'tools/list' }, call(9, 'gmail_list-labels', {})]],
  ])('%s: the same bytes as the SDK transport', async (_what, query, body) => {
    const { ours, sdk } = await both(query, body);
    expect(ours).toBe(sdk);
  });

  it(traced ? 'runs with the request tracer on (the SDK dispatch hooked)' : 'runs with the request tracer off', () => {
    expect(server.app.get(RequestTracer).enabled).toBe(traced);
  });
});
