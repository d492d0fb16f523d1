import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp } from './support/app';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { connectHttp, connectSse, rawPost, STATELESS_META, STATELESS_REVISION, statelessPost } from './support/mcp-client';
import { OtlpReceiver, ReceivedSpan, startOtlpReceiver } from './support/otlp-receiver';
import { ServerProcess, startServerProcess } from './support/server-process';
import { waitFor } from './support/wait';
import { McpTelemetry } from '../src/telemetry/tracing';

/*
 * OpenTelemetry end to end: the server runs in its own process (as in production, and because the
 * OTLP exporters load node:http with a dynamic import that Jest's sandbox refuses), exporting to a
 * local stand-in for the OpenTelemetry Collector; the Integration.app emulator records the
 * `traceparent` each upstream request carried.
 */

const META_TRACE = '0af7651916cd43dd8448eb211c80319c';
const META_SPAN = 'b7ad6b7169203331';
const HEADER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const HEADER_SPAN = '00f067aa0ba902b7';
const tp = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;
const SERVER = 2;
const CLIENT = 3;
const RUN_SPAN = 'POST /connections/{connectionId}/actions/{actionKey}/run';
const SEND_ARGS = { to: ['a@example.com'], body: 'hi' };

function serverEnv(emulator: Emulator, extra: Record<string, string>): Record<string, string> {
  return {
    INTEGRATION_APP_API_URL: emulator.url,
    INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
    INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE,
    LOG_LEVEL: 'info',
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_METRIC_EXPORT_INTERVAL: '300',
    ...extra,
  };
}

describe('OpenTelemetry (OTLP/JSON to a local receiver)', () => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let proc: ServerProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    receiver = await startOtlpReceiver();
    proc = await startServerProcess(
      serverEnv(emulator, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'mcp-e2e' }),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await proc?.stop();
    await receiver?.close();
    await emulator?.close();
  });

  async function client(opts: { headers?: Record<string, string>; query?: Record<string, string> } = {}) {
    const connected = await connectHttp(proc.url, { token: emulator.token('cust-1'), ...opts });
    clients.push(connected.client);
    return connected;
  }
  const childOf = (parent: ReceivedSpan) => (s: ReceivedSpan) => s.parentSpanId === parent.spanId;

  it('makes a SERVER span "tools/call gmail_send-email" parented by params._meta.traceparent, with a CLIENT span whose traceparent reached Integration.app', async () => {
    const { client: c, transport } = await client({ headers: { traceparent: tp(HEADER_TRACE, HEADER_SPAN) } });
    emulator.clearRequests();
    const result = await c.callTool({ name: 'gmail_send-email', arguments: SEND_ARGS, _meta: { traceparent: tp(META_TRACE, META_SPAN) } });
    expect(result.isError).toBeFalsy();

    const span = await receiver.waitForSpan((s) => s.name === 'tools/call gmail_send-email' && s.traceId === META_TRACE);
    expect(span).toMatchObject({ kind: SERVER, parentSpanId: META_SPAN, resource: { 'service.name': 'mcp-e2e' } });
    expect(span.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'gmail_send-email',
      'gen_ai.operation.name': 'execute_tool',
      'mcp.session.id': transport.sessionId,
    });
    expect(span.attributes['mcp.protocol.version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(span.attributes['jsonrpc.request.id']).toMatch(/^\d+$/);
    expect(span.attributes['error.type']).toBeUndefined();

    const run = await receiver.waitForSpan((s) => s.name === RUN_SPAN && s.traceId === META_TRACE);
    expect(run).toMatchObject({
      kind: CLIENT,
      parentSpanId: span.spanId,
      attributes: { 'http.request.method': 'POST', 'url.template': '/connections/{connectionId}/actions/{actionKey}/run' },
    });
    const upstream = emulator.requests.find((r) => r.method === 'POST' && r.path.endsWith('/actions/send-email/run'))!;
    expect(upstream.headers?.traceparent).toBe(tp(META_TRACE, run.spanId));

    // The audit line of the call carries the trace id.
    await waitFor('the audit line', () => proc.output().includes(`"traceId":"${META_TRACE}"`));
  });

  it('takes the parent from the traceparent header when _meta has none; the cached tools/list is traced too', async () => {
    const { client: c } = await client({ headers: { traceparent: tp(HEADER_TRACE, HEADER_SPAN) } });
    await c.listTools();
    await c.callTool({ name: 'gmail_count-unread', arguments: {} });
    expect((await receiver.waitForSpan((s) => s.name === 'tools/call gmail_count-unread')).parentSpanId).toBe(HEADER_SPAN);
    const list = await receiver.waitForSpan((s) => s.name === 'tools/list' && s.traceId === HEADER_TRACE);
    expect(list).toMatchObject({ kind: SERVER, parentSpanId: HEADER_SPAN, attributes: { 'mcp.method.name': 'tools/list' } });
    expect((await receiver.waitForSpan((s) => s.name === 'initialize' && s.traceId === HEADER_TRACE)).attributes['mcp.session.id']).toBeDefined();
  });

  it('sets error.type for isError results and JSON-RPC errors, and starts a trace without any traceparent', async () => {
    const { client: c } = await client();
    const failed = await c.callTool({ name: 'gmail_fail-action', arguments: {} });
    expect(failed.isError).toBe(true);
    await expect(c.callTool({ name: 'gmail_no-such-tool', arguments: {} })).rejects.toThrow();
    const toolError = await receiver.waitForSpan((s) => s.name === 'tools/call gmail_fail-action');
    expect(toolError).toMatchObject({ attributes: { 'error.type': 'tool_error' }, status: { code: 2 } });
    expect(toolError.parentSpanId).toBeUndefined();
    // The failed upstream run is a failed CLIENT span under it.
    expect(await receiver.waitForSpan((s) => s.name === RUN_SPAN && childOf(toolError)(s))).toMatchObject({
      attributes: { 'error.type': 'action_failed', 'http.response.status_code': 400 },
    });
    expect(await receiver.waitForSpan((s) => s.name === 'tools/call gmail_no-such-tool')).toMatchObject({
      attributes: { 'error.type': '-32602', 'rpc.response.status_code': '-32602' },
    });
  });

  it('traces requests answered through the SDK transport (enable-tools) and the legacy SSE transport (session id hashed)', async () => {
    const { client: dynamic } = await client({ query: { mode: 'dynamic' }, headers: { traceparent: tp(HEADER_TRACE, HEADER_SPAN) } });
    await dynamic.callTool({ name: 'enable-tools', arguments: { tools: ['gmail'] } });
    expect((await receiver.waitForSpan((s) => s.name === 'tools/call enable-tools')).parentSpanId).toBe(HEADER_SPAN);

    const { client: sse } = await connectSse(proc.url, { token: emulator.token('cust-1') });
    clients.push(sse);
    await sse.callTool({ name: 'gmail_list-labels', arguments: {}, _meta: { traceparent: tp(META_TRACE, META_SPAN) } });
    const span = await receiver.waitForSpan((s) => s.name === 'tools/call gmail_list-labels');
    expect(span).toMatchObject({ traceId: META_TRACE, parentSpanId: META_SPAN });
    expect(span.attributes['mcp.session.id']).toMatch(/^sse:[0-9a-f]{16}$/);
  });

  it('traces 2026-07-28 (stateless) requests: parent from _meta, mcp.protocol.version 2026-07-28, no session id, error.type for a header mismatch', async () => {
    const token = emulator.token('cust-1');
    const res = await rawPost(
      proc.url,
      {
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'gmail_list-labels', arguments: {}, _meta: { ...STATELESS_META, traceparent: tp(META_TRACE, 'c7ad6b7169203332') } },
      },
      { Authorization: `Bearer ${token}`, 'MCP-Protocol-Version': STATELESS_REVISION, 'Mcp-Method': 'tools/call', 'Mcp-Name': 'gmail_list-labels' },
    );
    expect(res.status).toBe(200);
    const span = await receiver.waitForSpan((s) => s.name === 'tools/call gmail_list-labels' && s.parentSpanId === 'c7ad6b7169203332');
    expect(span).toMatchObject({ kind: SERVER, traceId: META_TRACE });
    expect(span.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'mcp.protocol.version': STATELESS_REVISION,
      'gen_ai.tool.name': 'gmail_list-labels',
    });
    expect(span.attributes['mcp.session.id']).toBeUndefined();
    await receiver.waitForSpan((s) => s.traceId === META_TRACE && s.parentSpanId === span.spanId && s.kind === CLIENT);

    const mismatch = await statelessPost(proc.url, 'tools/list', {}, { Authorization: `Bearer ${token}`, 'Mcp-Method': 'tools/call' });
    expect(mismatch.status).toBe(400);
    const failed = await receiver.waitForSpan((s) => s.name === 'tools/list' && s.attributes['error.type'] === '400');
    expect(failed.attributes['mcp.protocol.version']).toBe(STATELESS_REVISION);
  });

  it('keeps client text out of the metric: a mismatched Mcp-Name (2026) and an unknown protocolVersion (initialize) are "other"', async () => {
    const token = emulator.token('cust-1');
    for (let i = 0; i < 5; i++) {
      const name = `random-name-${i}`;
      const res = await rawPost(
        proc.url,
        { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name, arguments: {}, _meta: STATELESS_META } },
        { Authorization: `Bearer ${token}`, 'MCP-Protocol-Version': STATELESS_REVISION, 'Mcp-Method': 'tools/call', 'Mcp-Name': 'something-else' },
      );
      expect(res.status).toBe(400);
      const init = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: `version-${i}-${'x'.repeat(10_000)}`, capabilities: {}, clientInfo: { name: 'probe', version: '1' } },
      };
      expect((await rawPost(proc.url, init, { Authorization: `Bearer ${token}` })).status).toBe(200);
    }
    await waitFor('the rejected calls in the metric', () =>
      receiver.histogramPoints('mcp.server.operation.duration').some((p) => p.attributes['gen_ai.tool.name'] === 'other'),
    );
    await waitFor('the initialize requests in the metric', () =>
      receiver.histogramPoints('mcp.server.operation.duration').some((p) => p.attributes['mcp.protocol.version'] === 'other'),
    );
    const points = receiver.histogramPoints('mcp.server.operation.duration');
    expect(points.some((p) => String(p.attributes['gen_ai.tool.name']).startsWith('random-name-'))).toBe(false);
    expect(points.some((p) => String(p.attributes['mcp.protocol.version']).startsWith('version-'))).toBe(false);
  });

  it('exports mcp.server.operation.duration (seconds) beside the Prometheus metrics', async () => {
    await waitFor('the duration histogram', () =>
      receiver.histogramPoints('mcp.server.operation.duration').some((p) => p.attributes['gen_ai.tool.name'] === 'gmail_send-email'),
    );
    const point = receiver.histogramPoints('mcp.server.operation.duration').find((p) => p.attributes['gen_ai.tool.name'] === 'gmail_send-email')!;
    expect(point).toMatchObject({ unit: 's', attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.operation.name': 'execute_tool' } });
    expect(point.explicitBounds[0]).toBe(0.01);
    expect(await (await fetch(`${proc.url}/metrics`)).text()).toContain('mcp_tool_calls_total');
  });

  it('flushes what is left when the process stops on SIGTERM', async () => {
    const { client: c } = await client();
    await c.callTool({ name: 'gmail_get-signature', arguments: {} });
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(receiver.spans().some((s) => s.name === 'tools/call gmail_get-signature')).toBe(true);
  }, 30_000);
});

describe('OpenTelemetry over OTLP/protobuf (the default protocol)', () => {
  it('posts application/x-protobuf to /v1/traces and /v1/metrics', async () => {
    const emulator = await startEmulator({ fixture: e2eFixture() });
    const receiver = await startOtlpReceiver();
    const proc = await startServerProcess(
      serverEnv(emulator, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: '' }),
    );
    try {
      const { client } = await connectHttp(proc.url, { token: emulator.token('cust-1') });
      await client.listTools();
      await client.close();
      await waitFor('protobuf traces and metrics', () => ['/v1/traces', '/v1/metrics'].every((path) => receiver.posts.some((p) => p.path === path)), {
        timeoutMs: 10_000,
      });
      for (const post of receiver.posts) {
        expect(post.contentType).toBe('application/x-protobuf');
        expect(post.body.length).toBeGreaterThan(0);
      }
    } finally {
      await proc.stop();
      await receiver.close();
      await emulator.close();
    }
  }, 60_000);
});

/*
 * SDK 3's tracer provider and batch span processor read no environment variable: the server reads
 * OTEL_TRACES_SAMPLER[_ARG], OTEL_BSP_* and the span limits itself (telemetry.config.ts).
 */
describe('OpenTelemetry sampler, batching and span limits from OTEL_* (read by the server since SDK 3)', () => {
  async function withServer(extra: Record<string, string>, run: (proc: ServerProcess, emulator: Emulator, receiver: OtlpReceiver) => Promise<void>) {
    const emulator = await startEmulator({ fixture: e2eFixture() });
    const receiver = await startOtlpReceiver();
    const proc = await startServerProcess(
      serverEnv(emulator, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', ...extra }),
    );
    try {
      await run(proc, emulator, receiver);
    } finally {
      await proc.stop();
      await receiver.close();
      await emulator.close();
    }
  }

  it('OTEL_TRACES_SAMPLER=traceidratio with OTEL_TRACES_SAMPLER_ARG=0 exports no span (the metric still goes), and sends traceparent unsampled', async () => {
    await withServer({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }, async (proc, emulator, receiver) => {
      const { client } = await connectHttp(proc.url, { token: emulator.token('cust-1') });
      await client.callTool({ name: 'gmail_send-email', arguments: SEND_ARGS, _meta: { traceparent: tp(META_TRACE, META_SPAN) } });
      await client.close();
      // The metric point of the call is exported, and then a later one: the spans (every 50 ms) would be there by now.
      await waitFor('the duration histogram', () =>
        receiver.histogramPoints('mcp.server.operation.duration').some((p) => p.attributes['gen_ai.tool.name'] === 'gmail_send-email'),
      );
      const posts = receiver.posts.length;
      await waitFor('one more metrics export', () => receiver.posts.slice(posts).some((p) => p.path === '/v1/metrics'));
      expect(receiver.spans()).toEqual([]);
      expect(receiver.posts.some((p) => p.path === '/v1/traces')).toBe(false);
      const upstream = emulator.requests.find((r) => r.method === 'POST' && r.path.endsWith('/actions/send-email/run'))!;
      expect(upstream.headers?.traceparent).toMatch(new RegExp(`^00-${META_TRACE}-[0-9a-f]{16}-00$`));
    });
  }, 60_000);

  it('parentbased_traceidratio with 0 traces only requests that came with a traceparent, after OTEL_BSP_SCHEDULE_DELAY, within the span limits', async () => {
    const env = {
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5',
    };
    await withServer(env, async (proc, emulator, receiver) => {
      const { client } = await connectHttp(proc.url, { token: emulator.token('cust-1') });
      const sentAt = Date.now();
      await client.callTool({ name: 'gmail_get-signature', arguments: {} });
      await client.callTool({ name: 'gmail_send-email', arguments: SEND_ARGS, _meta: { traceparent: tp(META_TRACE, META_SPAN) } });
      // Well before the default delay of 5 s.
      await waitFor('the span of the call with a traceparent', () => receiver.spans().some((s) => s.name === 'tools/call gmail_send-email'), {
        timeoutMs: 2500,
      });
      expect(Date.now() - sentAt).toBeLessThan(4000);
      await client.close();
      const span = receiver.spans().find((s) => s.name === 'tools/call gmail_send-email')!;
      expect(span).toMatchObject({ traceId: META_TRACE, parentSpanId: META_SPAN });
      expect(span.attributes['mcp.method.name']).toBe('tools');
      expect(span.attributes['gen_ai.tool.name']).toBe('gmail');
      expect(receiver.spans().some((s) => s.name === 'tools/call gmail_get-signature')).toBe(false);
    });
  }, 60_000);
});

describe('OpenTelemetry off (the default)', () => {
  it('builds no exporter and sends no traceparent upstream', async () => {
    const emulator = await startEmulator({ fixture: e2eFixture() });
    const off = Object.fromEntries(
      [
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
        'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
        'OTEL_TRACES_EXPORTER',
        'OTEL_METRICS_EXPORTER',
      ].map((k) => [k, undefined]),
    );
    const app = await startApp({
      INTEGRATION_APP_API_URL: emulator.url,
      INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
      INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE,
      ...off,
    });
    try {
      expect(app.app.get(McpTelemetry).enabled).toBe(false);
      const { client } = await connectHttp(app.url, { token: emulator.token('cust-1'), headers: { traceparent: tp(HEADER_TRACE, HEADER_SPAN) } });
      await client.callTool({ name: 'gmail_send-email', arguments: SEND_ARGS, _meta: { traceparent: tp(META_TRACE, META_SPAN) } });
      await client.close();
      expect(emulator.requests.length).toBeGreaterThan(0);
      expect(emulator.requests.every((r) => r.headers === undefined)).toBe(true);
      expect(app.logs.lines.some((l) => l.includes('OpenTelemetry'))).toBe(false);
    } finally {
      await app.close();
      await emulator.close();
    }
  });
});
