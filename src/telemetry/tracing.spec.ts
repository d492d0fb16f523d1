import { Logger } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, JSONRPCMessage, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { AggregationTemporality, DataPointType, HistogramMetricData, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace';
import { buildTelemetryConfig } from '../config/telemetry.config';
import { JsonExchangeTransport, ProtocolDispatch } from '../mcp/sdk/protocol-dispatch.json-exchange.transport';
import { MCP_DURATION_BUCKETS, MCP_OPERATION_DURATION, McpTelemetry } from './tracing';

/*
 * The SDK pipeline with the SDK's in-memory exporters (the OTLP/HTTP wire, JSON and protobuf, is
 * checked end to end in test/telemetry.e2e-spec.ts, with the server in its own process: the OTLP
 * exporters load node:http with a dynamic import, which Jest's module sandbox refuses).
 */

const PARENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT_SPAN = 'b7ad6b7169203331';
const HEADER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const HEADER_SPAN = '00f067aa0ba902b7';
const traceparent = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;
const SERVER = 1; // SpanKind.SERVER
const CLIENT = 2; // SpanKind.CLIENT
const ERROR = 2; // SpanStatusCode.ERROR

describe('buildTelemetryConfig (OTEL_* variables)', () => {
  it('is off by default', () => {
    const c = buildTelemetryConfig({});
    expect(c.tracesEnabled).toBe(false);
    expect(c.metricsEnabled).toBe(false);
    expect(c.serviceName).toBe('integration-app-mcp-server');
  });

  it('turns on with OTEL_EXPORTER_OTLP_ENDPOINT: http/protobuf to {endpoint}/v1/traces and /v1/metrics', () => {
    expect(buildTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({
      tracesEnabled: true,
      metricsEnabled: true,
      tracesProtocol: 'http/protobuf',
      metricsProtocol: 'http/protobuf',
      tracesUrl: 'http://collector:4318/v1/traces',
      metricsUrl: 'http://collector:4318/v1/metrics',
      metricExportIntervalMs: 60000,
    });
  });

  it('turns on with OTEL_TRACES_EXPORTER=otlp (default endpoint) and honours per-signal endpoints and protocols', () => {
    expect(buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({ tracesEnabled: true, tracesUrl: 'http://localhost:4318/v1/traces' });
    const c = buildTelemetryConfig({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp',
      OTEL_SERVICE_NAME: 'mcp-eu',
    });
    expect(c).toMatchObject({ tracesProtocol: 'http/json', metricsProtocol: 'http/protobuf', tracesUrl: 'https://traces.example/otlp', serviceName: 'mcp-eu' });
  });

  it('turns signals off with none and everything off with OTEL_SDK_DISABLED', () => {
    expect(buildTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toMatchObject({
      tracesEnabled: false,
      metricsEnabled: true,
    });
    expect(buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'none' })).toMatchObject({ tracesEnabled: true, metricsEnabled: false });
    expect(buildTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toMatchObject({
      tracesEnabled: false,
      metricsEnabled: false,
    });
  });

  it('refuses what it cannot serve, naming the variable', () => {
    expect(() => buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL="grpc".*http\/protobuf/,
    );
    expect(() => buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER="zipkin"/);
    expect(() => buildTelemetryConfig({ OTEL_METRICS_EXPORTER: 'prometheus' })).toThrow(/OTEL_METRICS_EXPORTER="prometheus".*GET \/metrics/);
    expect(() => buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRIC_EXPORT_INTERVAL: 'soon' })).toThrow(/OTEL_METRIC_EXPORT_INTERVAL/);
    // Off, a protocol is not looked at.
    expect(buildTelemetryConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).tracesEnabled).toBe(false);
  });
});

/*
 * SDK 2 read these in BasicTracerProvider and BatchSpanProcessor; SDK 3 reads none of them, so the
 * config does, with SDK 2's defaults and its answer to a bad value (the default), plus a warning.
 */
describe('buildTelemetryConfig: sampler, span limits and OTEL_BSP_* (read by the SDK 2, not by the SDK 3)', () => {
  const on = (env: Record<string, string>) => buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp', ...env });

  it("has SDK 2's defaults", () => {
    const c = on({});
    expect(c).toMatchObject({
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      spanLimits: {
        attributeCountLimit: 128,
        attributeValueLengthLimit: Infinity,
        eventCountLimit: 128,
        linkCountLimit: 128,
        attributePerEventCountLimit: 128,
        attributePerLinkCountLimit: 128,
      },
      batch: { maxQueueSize: 2048, scheduledDelayMillis: 5000, exportTimeoutMillis: 30_000, maxExportBatchSize: 512 },
      warnings: [],
    });
  });

  it('reads OTEL_TRACES_SAMPLER (any case, trimmed) and OTEL_TRACES_SAMPLER_ARG for the ratio samplers', () => {
    for (const name of ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']) {
      expect(on({ OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: '0.25' })).toMatchObject({ sampler: name, warnings: [] });
    }
    expect(on({ OTEL_TRACES_SAMPLER: ' TraceIdRatio ', OTEL_TRACES_SAMPLER_ARG: '0.25' })).toMatchObject({ sampler: 'traceidratio', samplerRatio: 0.25 });
    expect(on({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' })).toMatchObject({ samplerRatio: 0, warnings: [] });
    expect(on({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' })).toMatchObject({ samplerRatio: 1, warnings: [] });
    // The argument of a sampler without one is not looked at.
    expect(on({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: 'x' })).toMatchObject({ samplerRatio: 1, warnings: [] });
  });

  it('gives the default sampler for an unknown OTEL_TRACES_SAMPLER, and ratio 1 for a missing or bad OTEL_TRACES_SAMPLER_ARG, with a warning', () => {
    expect(on({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toMatchObject({
      sampler: 'parentbased_always_on',
      warnings: [expect.stringMatching(/OTEL_TRACES_SAMPLER="jaeger_remote".*parentbased_always_on/)],
    });
    expect(on({ OTEL_TRACES_SAMPLER: 'traceidratio' })).toMatchObject({
      sampler: 'traceidratio',
      samplerRatio: 1,
      warnings: [expect.stringMatching(/without OTEL_TRACES_SAMPLER_ARG.*ratio 1/)],
    });
    for (const arg of ['half', '1.5', '-0.1']) {
      expect(on({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: arg })).toMatchObject({
        samplerRatio: 1,
        warnings: [expect.stringContaining(`OTEL_TRACES_SAMPLER_ARG="${arg}" is not a ratio in [0, 1]`)],
      });
    }
  });

  it('reads each span limit, a span limit before the general OTEL_ATTRIBUTE_* one', () => {
    expect(
      on({
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '10',
        OTEL_ATTRIBUTE_COUNT_LIMIT: '20',
        OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '30',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '40',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '5',
        OTEL_SPAN_LINK_COUNT_LIMIT: '6',
        OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: '7',
        OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT: '8',
      }).spanLimits,
    ).toEqual({
      attributeCountLimit: 10,
      attributeValueLengthLimit: 30,
      eventCountLimit: 5,
      linkCountLimit: 6,
      attributePerEventCountLimit: 7,
      attributePerLinkCountLimit: 8,
    });
    expect(on({ OTEL_ATTRIBUTE_COUNT_LIMIT: '20', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '40' }).spanLimits).toMatchObject({
      attributeCountLimit: 20,
      attributeValueLengthLimit: 40,
    });
  });

  it('reads each OTEL_BSP_* variable', () => {
    expect(
      on({ OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_SCHEDULE_DELAY: '0', OTEL_BSP_EXPORT_TIMEOUT: '2500', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '50' }).batch,
    ).toEqual({ maxQueueSize: 100, scheduledDelayMillis: 0, exportTimeoutMillis: 2500, maxExportBatchSize: 50 });
  });

  it('gives the default for a limit or OTEL_BSP_* value that is not a non-negative number, with a warning; blank is unset', () => {
    const c = on({
      OTEL_BSP_SCHEDULE_DELAY: 'soon',
      OTEL_BSP_MAX_QUEUE_SIZE: '-1',
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: 'many',
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: ' ',
    });
    expect(c.batch).toMatchObject({ scheduledDelayMillis: 5000, maxQueueSize: 2048 });
    expect(c.spanLimits).toMatchObject({ attributeCountLimit: 128, attributeValueLengthLimit: Infinity });
    expect(c.warnings).toEqual([
      expect.stringMatching(/^OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="many" .*default, 128/),
      expect.stringMatching(/^OTEL_BSP_MAX_QUEUE_SIZE="-1" .*default, 2048/),
      expect.stringMatching(/^OTEL_BSP_SCHEDULE_DELAY="soon" .*default, 5000/),
    ]);
  });

  it('quotes a bad value in its warning cut to 64 characters', () => {
    const [warning] = buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'x'.repeat(10_000) }).warnings;
    expect(warning).toContain(`OTEL_TRACES_SAMPLER="${'x'.repeat(64)}…"`);
    expect(warning.length).toBeLessThan(300);
  });

  it('does not read them with traces off', () => {
    expect(buildTelemetryConfig({ OTEL_TRACES_SAMPLER: 'nonsense', OTEL_BSP_SCHEDULE_DELAY: 'soon' }).warnings).toEqual([]);
  });
});

describe('McpTelemetry, off', () => {
  const telemetry = new McpTelemetry(buildTelemetryConfig({}));

  it('passes everything through', async () => {
    expect(telemetry.enabled).toBe(false);
    await expect(telemetry.inRequestSpan({ method: 'tools/call', target: 'x' }, async (outcome) => (outcome.fail('tool_error'), 42))).resolves.toBe(42);
    await expect(telemetry.inClientSpan('GET /x', {}, async (headers) => headers)).resolves.toBeUndefined();
    expect(telemetry.injectTraceparent({ a: 'b' })).toEqual({ a: 'b' });
    expect(telemetry.currentTraceId()).toBeUndefined();
    await expect(telemetry.inRequestSpan({ method: 'ping' }, async () => telemetry.currentTraceId())).resolves.toBeUndefined();
    await telemetry.onApplicationShutdown();
  });

  it('leaves an SDK Server untouched', () => {
    const server = new Server({ name: 't', version: '1' }, { capabilities: {} });
    const dispatch = (server as unknown as ProtocolDispatch)._onrequest;
    telemetry.traceServer(server, {});
    expect((server as unknown as ProtocolDispatch)._onrequest).toBe(dispatch);
  });
});

describe('McpTelemetry, on', () => {
  const spanExporter = new InMemorySpanExporter();
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const telemetry = new McpTelemetry(buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp' }), { spans: spanExporter, metrics: metricExporter });

  afterAll(() => telemetry.onApplicationShutdown());

  const spans = async (): Promise<ReadableSpan[]> => {
    await telemetry.forceFlush();
    return spanExporter.getFinishedSpans();
  };
  const byRequestId = async (id: string) => (await spans()).find((s) => s.attributes['jsonrpc.request.id'] === id)!;

  it('makes a SERVER span {method} {target} with the MCP attributes, parented by params._meta.traceparent before the headers', async () => {
    let inside: string | undefined;
    await telemetry.inRequestSpan(
      {
        method: 'tools/call',
        target: 'gmail_send-email',
        requestId: 7,
        sessionId: 'sess-1',
        protocolVersion: '2025-06-18',
        meta: { traceparent: traceparent(PARENT_TRACE, PARENT_SPAN), progressToken: 1 },
        headers: { traceparent: traceparent(HEADER_TRACE, HEADER_SPAN) },
      },
      async () => {
        inside = telemetry.currentTraceId();
        telemetry.toolResolved('gmail_send-email');
      },
    );
    expect(inside).toBe(PARENT_TRACE);
    expect(telemetry.currentTraceId()).toBeUndefined();
    const span = await byRequestId('7');
    expect(span.name).toBe('tools/call gmail_send-email');
    expect(span.kind).toBe(SERVER);
    expect(span.spanContext().traceId).toBe(PARENT_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(span.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'gmail_send-email',
      'gen_ai.operation.name': 'execute_tool',
      'mcp.protocol.version': '2025-06-18',
      'mcp.session.id': 'sess-1',
      'jsonrpc.request.id': '7',
    });
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.resource.attributes['service.name']).toBe('integration-app-mcp-server');
  });

  it('takes the parent from the traceparent header when _meta has none, and starts a trace when neither has one', async () => {
    await telemetry.inRequestSpan(
      { method: 'tools/list', requestId: 'h', meta: { progressToken: 2 }, headers: { traceparent: [traceparent(HEADER_TRACE, HEADER_SPAN)] } },
      async () => undefined,
    );
    await telemetry.inRequestSpan({ method: 'ping', requestId: 'root', headers: {} }, async () => undefined);
    const fromHeader = await byRequestId('h');
    expect(fromHeader.name).toBe('tools/list');
    expect(fromHeader.spanContext().traceId).toBe(HEADER_TRACE);
    expect(fromHeader.parentSpanContext?.spanId).toBe(HEADER_SPAN);
    const root = await byRequestId('root');
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('records error.type for a throw and for a marked failure', async () => {
    class ActionRunError extends Error {}
    await expect(
      telemetry.inRequestSpan({ method: 'tools/call', target: 'a', requestId: 'thrown' }, async () => Promise.reject(new ActionRunError('x'))),
    ).rejects.toThrow('x');
    await telemetry.inRequestSpan({ method: 'tools/call', target: 'b', requestId: 'marked' }, async (outcome) => outcome.fail('tool_error'));
    const thrown = await byRequestId('thrown');
    expect(thrown.attributes['error.type']).toBe('ActionRunError');
    expect(thrown.status.code).toBe(ERROR);
    const marked = await byRequestId('marked');
    expect(marked.attributes['error.type']).toBe('tool_error');
    expect(marked.status.code).toBe(ERROR);
  });

  it('runs upstream calls as CLIENT spans under the request span and hands them the traceparent to send', async () => {
    let sent: Record<string, string> | undefined;
    await telemetry.inRequestSpan(
      { method: 'tools/call', target: 'gmail_send-email', requestId: 'up', meta: { traceparent: traceparent(PARENT_TRACE, PARENT_SPAN) } },
      async () => {
        telemetry.toolResolved('gmail_send-email');
        await telemetry.inClientSpan('POST /connections/{connectionId}/actions/{actionKey}/run', { 'http.request.method': 'POST' }, async (headers) => {
          sent = headers;
        });
        await expect(
          telemetry.inClientSpan(
            'GET /connections',
            {},
            async () => Promise.reject(new Error('down')),
            () => ({ 'error.type': 'unavailable', 'http.response.status_code': 503 }),
          ),
        ).rejects.toThrow('down');
      },
    );
    const all = await spans();
    const server = all.find((s) => s.attributes['jsonrpc.request.id'] === 'up')!;
    const run = all.find((s) => s.name === 'POST /connections/{connectionId}/actions/{actionKey}/run')!;
    expect(run.kind).toBe(CLIENT);
    expect(run.spanContext().traceId).toBe(PARENT_TRACE);
    expect(run.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(run.attributes['http.request.method']).toBe('POST');
    expect(sent).toEqual({ traceparent: traceparent(PARENT_TRACE, run.spanContext().spanId) });
    const failed = all.find((s) => s.name === 'GET /connections')!;
    expect(failed.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(failed.attributes).toMatchObject({ 'error.type': 'unavailable', 'http.response.status_code': 503 });
    expect(failed.status.code).toBe(ERROR);
  });

  it("takes a client's trace id and parent span, but not its sampled flag (sampled=00 hides nothing) nor its tracestate (never forwarded)", async () => {
    let sent: Record<string, string> | undefined;
    await telemetry.inRequestSpan(
      {
        method: 'tools/call',
        target: 'x',
        requestId: 'unsampled',
        meta: { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-00`, tracestate: 'vendor=client-chosen' },
      },
      async () => {
        await telemetry.inClientSpan('GET /self', {}, async (headers) => {
          sent = headers;
        });
      },
    );
    await telemetry.inRequestSpan(
      { method: 'ping', requestId: 'header-unsampled', headers: { traceparent: `00-${HEADER_TRACE}-${HEADER_SPAN}-00`, tracestate: 'a=b' } },
      async () => undefined,
    );
    const recorded = await byRequestId('unsampled');
    expect(recorded.spanContext().traceId).toBe(PARENT_TRACE);
    expect(recorded.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(recorded.spanContext().traceState).toBeUndefined();
    expect((await byRequestId('header-unsampled')).spanContext().traceId).toBe(HEADER_TRACE);
    expect(sent?.traceparent).toMatch(new RegExp(`^00-${PARENT_TRACE}-[0-9a-f]{16}-01$`));
    expect(sent?.tracestate).toBeUndefined();
  });

  it('injects the current span into outgoing headers', async () => {
    const headers = await telemetry.inRequestSpan({ method: 'ping', meta: { traceparent: traceparent(PARENT_TRACE, PARENT_SPAN) } }, async () =>
      telemetry.injectTraceparent({}),
    );
    expect(headers.traceparent).toMatch(new RegExp(`^00-${PARENT_TRACE}-[0-9a-f]{16}-01$`));
  });

  it('traces an SDK Server: a span per request ending with its answer, error.type from JSON-RPC errors, isError results and cancellations', async () => {
    const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
    let release: () => void = () => undefined;
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [] }));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      if (request.params.name === 'slow') {
        await new Promise<void>((resolve) => {
          release = resolve;
          extra.signal.addEventListener('abort', () => resolve());
        });
      }
      // As the registry does for a tool of the caller's view.
      if (request.params.name === 'gmail_send-email') telemetry.toolResolved(request.params.name);
      return { content: [{ type: 'text', text: telemetry.currentTraceId() ?? '' }], isError: request.params.name === 'broken' };
    });
    const transport = new JsonExchangeTransport(server as unknown as ProtocolDispatch);
    await server.connect(transport);
    telemetry.traceServer(server, { sessionId: 'sess-2', protocolVersion: '2025-06-18', headers: { traceparent: traceparent(HEADER_TRACE, HEADER_SPAN) } });
    const call = (id: string, name: string): JSONRPCMessage => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });
    const answers = await transport.exchange(
      [
        call('ok', 'gmail_send-email'),
        call('bad', 'broken'),
        { jsonrpc: '2.0', id: 'nope', method: 'no/such' },
        { jsonrpc: '2.0', id: 'list', method: 'tools/list' },
      ],
      {},
    );
    expect(answers).toHaveLength(4);
    // The handler ran inside its span: the trace id it saw is the header's.
    expect((answers[0] as unknown as { result: { content: Array<{ text: string }> } }).result.content[0].text).toBe(HEADER_TRACE);

    const slow = transport.exchange([call('slow', 'slow')], {});
    await new Promise((r) => setTimeout(r, 10));
    transport.cancel('slow', 'user');
    await slow;
    release();

    const ok = await byRequestId('ok');
    expect(ok.name).toBe('tools/call gmail_send-email');
    expect(ok.kind).toBe(SERVER);
    expect(ok.spanContext().traceId).toBe(HEADER_TRACE);
    expect(ok.parentSpanContext?.spanId).toBe(HEADER_SPAN);
    expect(ok.attributes).toMatchObject({ 'mcp.session.id': 'sess-2', 'mcp.protocol.version': '2025-06-18' });
    expect(ok.attributes['error.type']).toBeUndefined();
    expect((await byRequestId('bad')).attributes['error.type']).toBe('tool_error');
    const nope = await byRequestId('nope');
    expect(nope.name).toBe('no/such');
    expect(nope.attributes).toMatchObject({ 'error.type': '-32601', 'rpc.response.status_code': '-32601' });
    expect(nope.status).toMatchObject({ code: ERROR, message: 'Method not found' });
    expect((await byRequestId('list')).name).toBe('tools/list');
    expect((await byRequestId('slow')).attributes['error.type']).toBe('cancelled');
  });

  it('records mcp.server.operation.duration in seconds with the advised buckets', async () => {
    await telemetry.forceFlush();
    const exported = metricExporter.getMetrics();
    const metric = exported
      .at(-1)!
      .scopeMetrics.flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === MCP_OPERATION_DURATION) as HistogramMetricData;
    expect(metric.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(metric.descriptor.unit).toBe('s');
    const points = metric.dataPoints;
    const calls = points.filter((p) => p.attributes['gen_ai.tool.name'] === 'gmail_send-email' && p.attributes['error.type'] === undefined);
    expect(calls.reduce((n, p) => n + p.value.count, 0)).toBeGreaterThanOrEqual(3);
    expect(calls[0].value.buckets.boundaries).toEqual(MCP_DURATION_BUCKETS);
    expect(calls[0].attributes).toMatchObject({ 'mcp.method.name': 'tools/call', 'gen_ai.operation.name': 'execute_tool' });
    expect(points.some((p) => p.attributes['error.type'] === 'tool_error')).toBe(true);
    // An unknown method is _OTHER, and a name the server did not resolve stays out of the metric.
    expect(points.find((p) => p.attributes['mcp.method.name'] === '_OTHER')?.attributes).toEqual({
      'mcp.method.name': '_OTHER',
      'mcp.protocol.version': '2025-06-18',
      'error.type': '-32601',
    });
    expect(points.some((p) => p.attributes['mcp.method.name'] === 'no/such')).toBe(false);
  });

  it('records only known protocol versions and resolved tool names in the metric (issue 20: 1 MB versions exhausted the heap)', async () => {
    const huge = 'v'.repeat(100_000);
    for (let i = 0; i < 50; i++) {
      await telemetry.inRequestSpan({ method: 'initialize', requestId: `init-${i}`, protocolVersion: `${huge}${i}` }, async () => undefined);
      await telemetry.inRequestSpan(
        { method: 'tools/call', target: `made-up-${i}-${huge}`, requestId: `${huge}${i}`, protocolVersion: '2025-06-18' },
        async () => {
          // A mode tool that calls back into the registry: the first resolution names the call.
          telemetry.toolResolved(i % 2 ? 'run-action' : 'not-this-one');
          telemetry.toolResolved('gmail_send-email');
        },
      );
    }
    await telemetry.forceFlush();
    const metric = metricExporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === MCP_OPERATION_DURATION) as HistogramMetricData;
    const values = (name: string) => new Set(metric.dataPoints.map((p) => p.attributes[name]).filter((v) => v !== undefined));
    expect([...values('mcp.protocol.version')].sort()).toEqual(['2025-06-18', 'other']);
    expect(values('gen_ai.tool.name').has('run-action')).toBe(true);
    expect(values('gen_ai.tool.name').has('not-this-one')).toBe(true);
    for (const v of values('gen_ai.tool.name')) expect(String(v).length).toBeLessThanOrEqual(40);
    // Span attributes from the client are cut to a length; the version is from the closed set there too.
    const all = await spans();
    const init = all.find((s) => s.attributes['jsonrpc.request.id'] === 'init-3')!;
    expect(init.attributes['mcp.protocol.version']).toBe('other');
    for (const span of all) {
      expect(span.name.length).toBeLessThanOrEqual(64 + 1 + 128);
      for (const value of Object.values(span.attributes)) expect(String(value).length).toBeLessThanOrEqual(256);
    }
  });

  it('records a tools/call the registry never resolved (unknown, or rejected before dispatch) as gen_ai.tool.name "other"', async () => {
    for (let i = 0; i < 20; i++) {
      await telemetry.inRequestSpan({ method: 'tools/call', target: `random-${i}`, requestId: `rnd-${i}` }, async (outcome) => outcome.fail('400'));
    }
    await telemetry.forceFlush();
    const metric = metricExporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === MCP_OPERATION_DURATION) as HistogramMetricData;
    expect(metric.dataPoints.some((p) => String(p.attributes['gen_ai.tool.name']).startsWith('random-'))).toBe(false);
    expect(metric.dataPoints.some((p) => p.attributes['gen_ai.tool.name'] === 'other' && p.attributes['error.type'] === '400')).toBe(true);
  });

  it('flushes and stops on application shutdown', async () => {
    const exported: string[] = [];
    let stopped = false;
    const exporter = {
      export: (batch: ReadableSpan[], done: (r: { code: number }) => void) => (exported.push(...batch.map((s) => s.name)), done({ code: 0 })),
      shutdown: async () => void (stopped = true),
    };
    const t = new McpTelemetry(buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'none' }), { spans: exporter });
    await t.inRequestSpan({ method: 'ping', requestId: 'last' }, async () => undefined);
    expect(exported).toEqual([]); // batched
    await t.onApplicationShutdown();
    expect(exported).toEqual(['ping']);
    expect(stopped).toBe(true);
  });
});

/** The settings above, through the real SDK 3 pipeline (an in-memory exporter instead of OTLP). */
describe('McpTelemetry with OTEL_TRACES_SAMPLER, span limits and OTEL_BSP_*', () => {
  const started: McpTelemetry[] = [];
  afterAll(() => Promise.all(started.map((t) => t.onApplicationShutdown())));
  function traced(env: Record<string, string>) {
    const exporter = new InMemorySpanExporter();
    const telemetry = new McpTelemetry(buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'none', ...env }), { spans: exporter });
    started.push(telemetry);
    const request = (id: string, meta?: unknown) =>
      telemetry.inRequestSpan({ method: 'tools/call', target: 'gmail_send-email', requestId: id, meta }, async () => undefined);
    return { exporter, telemetry, request };
  }
  const sampledParent = { traceparent: traceparent(PARENT_TRACE, PARENT_SPAN) };

  it('traceidratio with OTEL_TRACES_SAMPLER_ARG=0 records nothing, whatever the parent', async () => {
    const { exporter, telemetry, request } = traced({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    await request('1');
    await request('2', sampledParent);
    await telemetry.forceFlush();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('parentbased_traceidratio with 0 records only the requests whose client sent a traceparent (counted as sampled); always_off nothing', async () => {
    const ratio = traced({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    await ratio.request('root');
    await ratio.request('child', sampledParent);
    await ratio.telemetry.forceFlush();
    expect(ratio.exporter.getFinishedSpans().map((s) => s.attributes['jsonrpc.request.id'])).toEqual(['child']);

    const off = traced({ OTEL_TRACES_SAMPLER: 'always_off' });
    await off.request('child', sampledParent);
    await off.telemetry.forceFlush();
    expect(off.exporter.getFinishedSpans()).toEqual([]);
  });

  it('exports after OTEL_BSP_SCHEDULE_DELAY without a flush (and not before the default 5 s)', async () => {
    const fast = traced({ OTEL_BSP_SCHEDULE_DELAY: '20' });
    const slow = traced({});
    await fast.request('1');
    await slow.request('1');
    await waitFor(() => fast.exporter.getFinishedSpans().length === 1, 2000);
    expect(slow.exporter.getFinishedSpans()).toEqual([]);
  });

  it('exports a batch as soon as OTEL_BSP_MAX_EXPORT_BATCH_SIZE spans are queued', async () => {
    const batched = traced({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2' });
    await batched.request('1');
    expect(batched.exporter.getFinishedSpans()).toEqual([]);
    await batched.request('2');
    await waitFor(() => batched.exporter.getFinishedSpans().length === 2, 2000);
  });

  it('drops the spans that find OTEL_BSP_MAX_QUEUE_SIZE spans queued', async () => {
    // An exporter that answers only when told: while it holds a batch, ended spans queue up.
    const held: Array<() => void> = [];
    const exported: unknown[] = [];
    const exporter = {
      export: (batch: ReadableSpan[], done: (r: { code: number }) => void) =>
        held.push(() => (exported.push(...batch.map((s) => s.attributes['jsonrpc.request.id'])), done({ code: 0 }))),
      shutdown: async () => undefined,
    };
    const telemetry = new McpTelemetry(
      buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'none', OTEL_BSP_MAX_QUEUE_SIZE: '2', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1' }),
      { spans: exporter },
    );
    started.push(telemetry);
    // 1 is exported at once (a full batch) and held; 2 and 3 fill the queue; 4 and 5 are dropped.
    for (const id of ['1', '2', '3', '4', '5']) await telemetry.inRequestSpan({ method: 'ping', requestId: id }, async () => undefined);
    await waitFor(() => (held.shift()?.(), exported.length === 3), 2000);
    await new Promise((r) => setTimeout(r, 20));
    held.forEach((release) => release());
    expect(exported).toEqual(['1', '2', '3']);
  });

  it('gives up an export after OTEL_BSP_EXPORT_TIMEOUT', async () => {
    const silent = { export: () => undefined, shutdown: async () => undefined };
    const telemetry = new McpTelemetry(buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'none', OTEL_BSP_EXPORT_TIMEOUT: '30' }), {
      spans: silent,
    });
    started.push(telemetry);
    await telemetry.inRequestSpan({ method: 'ping' }, async () => undefined);
    const begun = Date.now();
    await expect(telemetry.forceFlush()).rejects.toBeDefined();
    expect(Date.now() - begun).toBeLessThan(2000);
  });

  it('logs a warning at start-up for a value replaced by its default', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      started.push(new McpTelemetry(buildTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'none', OTEL_TRACES_SAMPLER: 'sometimes' })));
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/OTEL_TRACES_SAMPLER="sometimes".*parentbased_always_on/));
    } finally {
      warn.mockRestore();
    }
  });

  it('applies the span limits (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT)', async () => {
    const { exporter, telemetry, request } = traced({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '2', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5' });
    await request('123456789');
    await telemetry.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(Object.keys(span.attributes)).toHaveLength(2);
    expect(span.attributes['mcp.method.name']).toBe('tools');
    expect(span.droppedAttributesCount).toBeGreaterThan(0);
  });
});

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
