/**
 * Parity of every shortcut in src/mcp/sdk/ with the MCP SDKs' own public path, on the same requests,
 * through the same application (the same registry, catalog and emulator):
 *
 * Session era (`@modelcontextprotocol/sdk` v1), against the SDK's `StreamableHTTPServerTransport`
 * (JSON responses) serving the same stored session through the same `McpServerFactory`, byte for byte:
 * - protocol-dispatch.json-exchange.transport.ts (the hot path: `JsonExchangeTransport` calling the
 *   `Server`'s private `_onrequest` / `_onnotification`);
 * - tools-list-handler.cached-tool-list.ts (the pre-serialized static `tools/list`);
 * - protocol-dispatch.hooks.ts (with tracing on, every dispatch of the SDK `Server` goes through them).
 *
 * 2026-07-28 era (`@modelcontextprotocol/server` / `@modelcontextprotocol/node` v2), against
 * `toNodeHandler(createMcpHandler(...))` — the SDK's Node adapter (`toWebRequest`, the SDK's own
 * Response writing) — whose per-request servers come from a copy of `StatelessServerFactory` loaded
 * with the SDK's `Server` in place of `DirectDispatchServer` and the SDK's `fromJsonSchema` in place of
 * `jsonOnly`; the era is decided by the SDK's `classifyInboundRequest`:
 * - classify-inbound-request.envelope-claim.ts (ours routes by the envelope claim; each request's
 *   route is also checked against `classifyInboundRequest`);
 * - to-web-request.request-view.ts (ours gives the SDK a read-only view of Node's request; the SDK side uses `toWebRequest`);
 * - protocol-onmessage.direct-dispatch.ts (direct `_onrequest`, the stack-less close);
 * - per-request-transport-send.json-answer.ts (the terminal JSON result without `Response.json`);
 * - mcp-server-argument-validation.json-only-schema.ts (the run tools' `McpServer` with a JSON-only
 *   schema; the SDK side validates with `fromJsonSchema`).
 * Answers are compared on status, Content-Type, the headers the SDK sets, and the body byte for byte.
 *
 * The whole suite runs twice: with tracing off, and with tracing on (OTLP traces configured as an
 * operator does, to a local receiver): the session era's `_onrequest` hooks wrap every dispatch, and
 * each 2026-07-28 request runs in its request span.
 */
import { createServer, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { classifyInboundRequest, type McpRequestContext } from '@modelcontextprotocol/server';
import { identityOf } from '../src/auth/identity';
import { integrationAppConfig, IntegrationAppConfig } from '../src/config/app.config';
import { McpServerFactory } from '../src/mcp/mcp-server.factory';
import { statelessToolContext } from '../src/mcp/request-context';
import { protocolEra } from '../src/mcp/protocol-era';
import { handOff, StatelessRequest, StatelessServerFactory } from '../src/mcp/stateless/stateless-server.factory';
import { DirectDispatchServer } from '../src/mcp/sdk/protocol-onmessage.direct-dispatch';
import { SessionsService } from '../src/sessions/sessions.service';
import { ToolRegistry } from '../src/tools/tool-registry';
import { startEmulator, Emulator } from './emulator/emulator';
import { e2eFixture, WORKSPACE } from './support/e2e-fixture';
import { startApp, RunningApp } from './support/app';
import { INIT_BODY, MCP_HEADERS, rawInitialize, STATELESS_META, STATELESS_REVISION } from './support/mcp-client';
import { OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver';
import { RequestTracer } from '../src/mcp/request-tracer';

/** The SDK v2's public 2026-07-28 path: `StatelessServerFactory` with the SDK's `Server` and schemas, behind `toNodeHandler`. */
interface SdkStatelessPath {
  /** The SDK v2 module the SDK side runs on. */
  sdk: typeof import('@modelcontextprotocol/server');
  factory: Pick<StatelessServerFactory, 'create'>;
  handle: (req: IncomingMessage & { auth?: unknown }, res: ServerResponse, body: unknown) => Promise<void>;
  /** The transport's hand-off of a request to its per-request server (the isolated module's own). */
  handOff: typeof handOff;
  close: () => Promise<void>;
}

function sdkStatelessPath(registry: ToolRegistry, config: IntegrationAppConfig): SdkStatelessPath {
  let path!: SdkStatelessPath;
  jest.isolateModules(() => {
    const server = require('@modelcontextprotocol/server') as typeof import('@modelcontextprotocol/server');
    const node = require('@modelcontextprotocol/node') as typeof import('@modelcontextprotocol/node');
    jest.doMock('../src/mcp/sdk/protocol-onmessage.direct-dispatch', () => ({ DirectDispatchServer: server.Server }));
    jest.doMock('../src/mcp/sdk/mcp-server-argument-validation.json-only-schema', () => ({
      jsonOnly: (schema: Parameters<typeof server.fromJsonSchema>[0]) => server.fromJsonSchema(schema),
    }));
    const isolated = require('../src/mcp/stateless/stateless-server.factory') as typeof import('../src/mcp/stateless/stateless-server.factory');
    const factory = new isolated.StatelessServerFactory(registry, config);
    const handler = server.createMcpHandler(factory.create, { legacy: 'reject' });
    const adapter = node.toNodeHandler(handler);
    path = {
      sdk: server,
      factory,
      handle: (req, res, body) => adapter(req as never, res, body),
      handOff: isolated.handOff,
      close: () => handler.close(),
    };
  });
  return path;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => resolve(raw));
  });
}

async function listen(server: HttpServer): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Headers that describe the connection or the moment, not the answer. */
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

describe.each([
  ['tracing off', false],
  ['tracing on', true],
])('SDK parity of every shortcut in src/mcp/sdk/ (%s)', (_tracing, traced) => {
  let emulator: Emulator;
  let receiver: OtlpReceiver | undefined;
  let server: RunningApp;
  let sdkSessionPath: HttpServer;
  let sdkSessionUrl: string;
  let sdkStateless: SdkStatelessPath;
  let sdkStatelessServer: HttpServer;
  let sdkStatelessUrl: string;

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
    // Session era: the SDK's own Streamable HTTP transport, serving the session named in the header.
    sdkSessionPath = createServer((req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        const raw = await readBody(req);
        const id = req.headers['x-session'] as string;
        const record = (await sessions.peek(id, identityOf(WORKSPACE, req.headers['x-customer'] as string).key))!;
        const mcp = factory.create(record, record.mode);
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        await mcp.connect(transport);
        await transport.handleRequest(req, res, JSON.parse(raw));
      })();
    });
    sdkSessionUrl = `${await listen(sdkSessionPath)}/mcp`;

    // 2026-07-28 era: the SDK v2's Node adapter and handler, with the same request context as ours.
    const registry = server.app.get(ToolRegistry);
    sdkStateless = sdkStatelessPath(registry, server.app.get<IntegrationAppConfig>(integrationAppConfig.KEY));
    const origin = new URL(server.url).origin;
    sdkStatelessServer = createServer((req: IncomingMessage & { auth?: unknown }, res: ServerResponse) => {
      void (async () => {
        const raw = await readBody(req);
        const body: unknown = raw ? JSON.parse(raw) : undefined;
        const url = new URL(req.url ?? '/', 'http://sdk');
        const token = String(req.headers.authorization).slice('Bearer '.length);
        const auth = { token, identity: identityOf(WORKSPACE, req.headers['x-customer'] as string) };
        const message = body as { method?: unknown; params?: { name?: unknown } } | undefined;
        const state: StatelessRequest = {
          ctx: statelessToolContext(auth, { path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers }, registry),
          requestId: req.headers['x-request-id'] as string | undefined,
          origin,
          outcome: { fail: () => undefined },
          call: message?.method === 'tools/call' && typeof message.params?.name === 'string' ? message.params.name : undefined,
        };
        const { authInfo, release } = sdkStateless.handOff(state);
        req.auth = authInfo;
        await sdkStateless.handle(req, res, body);
        release();
      })();
    });
    sdkStatelessUrl = await listen(sdkStatelessServer);
  });
  afterAll(async () => {
    await new Promise((r) => sdkSessionPath.close(r));
    await new Promise((r) => sdkStatelessServer.close(r));
    await sdkStateless.close();
    await server.close();
    await emulator.close();
    await receiver?.close();
  });

  it(traced ? 'runs with the request tracer on (the SDK dispatch hooked)' : 'runs with the request tracer off', () => {
    expect(server.app.get(RequestTracer).enabled).toBe(traced);
  });

  const call = (id: number, name: string, args: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

  describe('session era (SDK v1 StreamableHTTPServerTransport)', () => {
    async function both(query: string, body: unknown, opts: { ownSession?: boolean } = {}): Promise<{ ours: Response; sdk: Response }> {
      const token = emulator.token('cust-1');
      const session = await rawInitialize(server.url, token, query);
      const ours = await fetch(`${server.url}/mcp${query}`, {
        method: 'POST',
        headers: { ...MCP_HEADERS, Authorization: `Bearer ${token}`, ...(opts.ownSession ? {} : { 'Mcp-Session-Id': session }) },
        body: JSON.stringify(body),
      });
      const sdk = await fetch(sdkSessionUrl, {
        method: 'POST',
        headers: { ...MCP_HEADERS, 'x-session': session, 'x-customer': 'cust-1' },
        body: JSON.stringify(body),
      });
      expect(ours.status).toBe(sdk.status);
      // Express names the charset of ours (`application/json; charset=utf-8`): the same media type.
      const media = (r: Response) => r.headers.get('content-type')?.split(';')[0];
      expect(media(ours)).toBe(media(sdk));
      return { ours, sdk };
    }

    it.each([
      ['static tools/list (pre-serialized)', '', { jsonrpc: '2.0', id: 1, method: 'tools/list' }],
      ['static tools/list limited by apps', '?apps=slack', { jsonrpc: '2.0', id: 'list', method: 'tools/list' }],
      ['dynamic tools/list', '?mode=dynamic', { jsonrpc: '2.0', id: 2, method: 'tools/list' }],
      ['search tools/list', '?mode=search', { jsonrpc: '2.0', id: 2, method: 'tools/list' }],
      ['tools/call with structured output', '', call(3, 'gmail_send-email', { to: ['a@example.com'], body: 'hi' })],
      ['tools/call with a falsy output', '', call(4, 'gmail_count-unread', {})],
      ['tools/call with invalid arguments', '', call(5, 'gmail_send-email', { to: [] })],
      ['tools/call failing upstream (a tool error)', '', call(6, 'gmail_fail-action', {})],
      ['tools/call of an unknown tool', '', call(7, 'gmail_nope', {})],
      ['tools/call without a name (bad params)', '', { jsonrpc: '2.0', id: 10, method: 'tools/call', params: { arguments: 'x' } }],
      ['tools/call without params', '', { jsonrpc: '2.0', id: 11, method: 'tools/call' }],
      ['an unknown method', '', { jsonrpc: '2.0', id: 12, method: 'prompts/get', params: { name: 'x' } }],
      ['ping', '', { jsonrpc: '2.0', id: 13, method: 'ping' }],
      ['a notification', '', { jsonrpc: '2.0', method: 'notifications/initialized' }],
      ['a batch', '', [{ jsonrpc: '2.0', id: 8, method: 'tools/list' }, call(9, 'gmail_list-labels', {})]],
      [
        'a batch with a notification and an error',
        '',
        [{ jsonrpc: '2.0', method: 'notifications/initialized' }, call(14, 'gmail_nope', {}), { jsonrpc: '2.0', id: 15, method: 'ping' }],
      ],
    ])('%s: the same bytes as the SDK transport', async (_what, query, body) => {
      const { ours, sdk } = await both(query, body);
      expect(await ours.text()).toBe(await sdk.text());
    });

    it('initialize: the same result as the SDK transport (ours opens a session besides)', async () => {
      const { ours, sdk } = await both('', INIT_BODY, { ownSession: true });
      expect(ours.headers.get('mcp-session-id')).toBeTruthy();
      expect(JSON.parse(await ours.text())).toEqual(JSON.parse(await sdk.text()));
    });

    it.each([
      ['a message without method, result or error', { jsonrpc: '2.0', id: 20 }, 20],
      ['a JSON-RPC version other than 2.0', { jsonrpc: '1.0', id: 21, method: 'tools/list' }, 21],
      ['a non-object message', 42, null],
    ])('malformed JSON-RPC (%s): refused 400 like the SDK transport, as Invalid Request naming the id', async (_what, body, id) => {
      // Not a shortcut: the session era's body check (mcp/json-rpc-body.ts) refuses before any SDK
      // code runs, with JSON-RPC 2.0's -32600 and the message's id where it has one; the SDK
      // transport says -32700 (Parse error) with a null id for a body that did parse.
      const { ours, sdk } = await both('', body);
      const [o, s] = [JSON.parse(await ours.text()), JSON.parse(await sdk.text())];
      expect(s).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
      expect(o).toMatchObject({ jsonrpc: '2.0', id, error: { code: -32600 } });
    });
  });

  describe('2026-07-28 era (SDK v2 createMcpHandler + toNodeHandler)', () => {
    const request = (id: number | string, method: string, params: Record<string, unknown> = {}) => ({
      jsonrpc: '2.0',
      id,
      method,
      params: { ...params, _meta: STATELESS_META },
    });
    const headersOf = (body: { method?: unknown; params?: { name?: unknown } }): Record<string, string> => ({
      'MCP-Protocol-Version': STATELESS_REVISION,
      ...(typeof body.method === 'string' ? { 'Mcp-Method': body.method } : {}),
      ...(typeof body.params?.name === 'string' ? { 'Mcp-Name': body.params.name } : {}),
    });

    async function both(query: string, body: unknown, headers: Record<string, string>): Promise<{ ours: Response; sdk: Response }> {
      const token = emulator.token('cust-1');
      const init = (base: string, extra: Record<string, string> = {}) => ({
        method: 'POST',
        headers: { ...MCP_HEADERS, Authorization: `Bearer ${token}`, ...headers, ...extra },
        body: JSON.stringify(body),
      });
      const [ours, sdk] = await Promise.all([
        fetch(`${server.url}/mcp${query}`, init(server.url)),
        fetch(`${sdkStatelessUrl}/mcp${query}`, init(sdkStatelessUrl, { 'x-customer': 'cust-1' })),
      ]);
      expect(ours.status).toBe(sdk.status);
      // Every header the SDK's answer carries, ours carries with the same value (ours adds its own: request id, CORS…).
      sdk.headers.forEach((value, name) => {
        if (!TRANSPORT_HEADERS.has(name)) expect([name, ours.headers.get(name)]).toEqual([name, value]);
      });
      return { ours, sdk };
    }

    /** Ours decides the era (by the envelope claim where it can): the 2026 era's, and the SDK's classification agrees. */
    function expectSameRoute(body: unknown, headers: Record<string, string>): void {
      const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
      expect(protocolEra({ method: 'POST', headers: lower, body })).toBe('stateless');
      const sdkRoute = classifyInboundRequest({
        httpMethod: 'POST',
        protocolVersionHeader: lower['mcp-protocol-version'],
        mcpMethodHeader: lower['mcp-method'],
        mcpNameHeader: lower['mcp-name'],
        body,
      });
      expect(sdkRoute.kind).not.toBe('legacy');
    }

    it("compares with the SDK's own classes: the SDK side's per-request servers are the SDK's Server and McpServer with fromJsonSchema", async () => {
      const ctx = statelessToolContext(
        { token: emulator.token('cust-1'), identity: identityOf(WORKSPACE, 'cust-1') },
        { path: '/mcp', query: { mode: 'search' }, headers: {} },
        server.app.get(ToolRegistry),
      );
      const state = (call?: string): McpRequestContext =>
        ({
          authInfo: sdkStateless.handOff({ ctx, outcome: { fail: () => undefined }, call }).authInfo,
        }) as never;
      const ours = server.app.get(StatelessServerFactory);
      expect((await ours.create(state())).constructor).toBe(DirectDispatchServer);
      expect((await sdkStateless.factory.create(state())).constructor).toBe(sdkStateless.sdk.Server);
      const vendorOf = (mcp: unknown) =>
        (mcp as { _registeredTools: Record<string, { inputSchema: { '~standard': { vendor: string } } }> })._registeredTools['run-action'].inputSchema[
          '~standard'
        ].vendor;
      expect(vendorOf(await ours.create(state('run-action')))).toBe('integration-app-mcp');
      const sdkRun = await sdkStateless.factory.create(state('run-action'));
      expect(sdkRun).toBeInstanceOf(sdkStateless.sdk.McpServer);
      expect(vendorOf(sdkRun)).not.toBe('integration-app-mcp');
    });

    const runAction = request(30, 'tools/call', { name: 'run-action', arguments: { tool: 'gmail_list-labels' } });
    it.each<[string, string, Record<string, unknown>, Record<string, string>?]>([
      ['server/discover', '', request(1, 'server/discover')],
      ['static tools/list', '', request('list', 'tools/list')],
      ['static tools/list limited by apps', '?apps=slack', request(2, 'tools/list')],
      ['search tools/list', '?mode=search', request(3, 'tools/list')],
      ['dynamic tools/list (served as search)', '?mode=dynamic', request(4, 'tools/list')],
      ['tools/list under a read-only policy', '', request(5, 'tools/list'), { 'X-MCP-Readonly': 'true' }],
      ['tools/call with structured output', '', request(6, 'tools/call', { name: 'gmail_send-email', arguments: { to: ['a@example.com'], body: 'hi' } })],
      ['tools/call with a falsy output', '', request(7, 'tools/call', { name: 'gmail_count-unread', arguments: {} })],
      ['tools/call with invalid arguments', '', request(8, 'tools/call', { name: 'gmail_send-email', arguments: { to: [] } })],
      ['tools/call failing upstream (a tool error)', '', request(9, 'tools/call', { name: 'gmail_fail-action', arguments: {} })],
      ['tools/call of an unknown tool', '', request(10, 'tools/call', { name: 'gmail_nope', arguments: {} })],
      ['tools/call without a name (bad params)', '', request(11, 'tools/call', { arguments: 'x' })],
      ['run-action with its Mcp-Param-Tool header (JSON-only schema)', '?mode=search', runAction, { 'Mcp-Param-Tool': 'gmail_list-labels' }],
      ['run-action with a wrong Mcp-Param-Tool header', '?mode=search', runAction, { 'Mcp-Param-Tool': 'gmail_send-email' }],
      ['run-action without its Mcp-Param-Tool header', '?mode=search', runAction],
      [
        'run-action with invalid arguments',
        '?mode=search',
        request(31, 'tools/call', { name: 'run-action', arguments: { tool: 7 } }),
        { 'Mcp-Param-Tool': '7' },
      ],
      ['an unknown method', '', request(12, 'prompts/get', { name: 'x' })],
      ['ping', '', request(13, 'ping')],
      ['a notification', '', { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: STATELESS_META } }],
      ['a Mcp-Method header that does not match the body', '', request(14, 'tools/list'), { 'Mcp-Method': 'tools/call' }],
      [
        'a claim naming an unsupported revision',
        '',
        { jsonrpc: '2.0', id: 15, method: 'tools/list', params: { _meta: { ...STATELESS_META, 'io.modelcontextprotocol/protocolVersion': '2031-01-01' } } },
      ],
      ['malformed JSON-RPC: version 1.0', '', { ...request(16, 'tools/list'), jsonrpc: '1.0' }],
      ['malformed JSON-RPC: an object id', '', { ...request(17, 'tools/list'), id: { a: 1 } }],
      ['malformed JSON-RPC: a non-string method', '', { jsonrpc: '2.0', id: 18, method: 7, params: { _meta: STATELESS_META } }],
    ])('%s: the same answer as the SDK, byte for byte', async (_what, query, body, extra = {}) => {
      const headers = { ...headersOf(body), ...extra };
      expectSameRoute(body, headers);
      const { ours, sdk } = await both(query, body, headers);
      expect(await ours.text()).toBe(await sdk.text());
    });
  });
});
