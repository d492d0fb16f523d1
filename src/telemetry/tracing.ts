import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import {
  Attributes,
  Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  Histogram,
  isSpanContextValid,
  createContextKey,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResult, ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, PushMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  ReadableSpan,
  Sampler,
  SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { telemetryConfig, TelemetryConfig } from '../config/telemetry.config';
import type { UpstreamSpanAttributes, UpstreamTracer } from '../integrations/upstream.tracer';
import { describeRequest, HeaderBag, McpExchange, McpRequestInfo, protocolVersionLabel, RequestOutcome, RequestTracer } from '../mcp/request-tracer';
import { hookProtocolRequests } from '../mcp/sdk/protocol-dispatch.hooks';

export const MCP_OPERATION_DURATION = 'mcp.server.operation.duration';
/** The bucket boundaries the MCP semantic conventions advise for `mcp.server.operation.duration` (seconds). */
export const MCP_DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
const SCOPE = 'integration-app-mcp-server';
const SHUTDOWN_TIMEOUT_MS = 5_000;
const REPORT_EVERY_MS = 60_000;

/**
 * Exporters to use instead of OTLP/HTTP when telemetry is on (provide them under
 * `TELEMETRY_EXPORTERS`): the in-memory ones in tests, another backend in a deployment.
 */
export interface TelemetryExporters {
  spans?: SpanExporter;
  metrics?: PushMetricExporter;
}
export const TELEMETRY_EXPORTERS = Symbol('TELEMETRY_EXPORTERS');

/** Methods of the MCP specification: anything else is `_OTHER` in the metric (a client picks method names). */
const MCP_METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'logging/setLevel',
  'completion/complete',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
]);

const cut = (text: string, max: number): string => (text.length > max ? text.slice(0, max) : text);

/** Where the `ServedRequest` of the current request sits in its OpenTelemetry context. */
const SERVED_REQUEST = createContextKey('integration-app-mcp.served-request');

/** `error.type` of a thrown error: a domain error's `kind`, else its class name. */
export function errorTypeOf(err: unknown): string {
  const kind = (err as { kind?: unknown } | null)?.kind;
  if (typeof kind === 'string' && kind) return kind;
  if (err instanceof Error) return err.constructor?.name || err.name || 'Error';
  return '_OTHER';
}

/** One MCP request being served: its span (when traces are on) and what its metric point will say. */
class ServedRequest implements RequestOutcome {
  private errorType?: string;
  private rpcCode?: number;
  private statusMessage?: string;
  private ended = false;
  private readonly started = performance.now();
  /** The tool the registry resolved the call to (a name of the caller's view): the only tool name the metric records. */
  private resolvedTool?: string;

  constructor(
    private readonly pipeline: Pipeline,
    readonly span: Span | undefined,
    public context: Context,
    private readonly method: string,
    private readonly toolName: string | undefined,
    private readonly protocolVersion: string | undefined,
  ) {}

  fail(errorType: string, rpcCode?: number, message?: string): void {
    this.errorType = errorType;
    this.rpcCode = rpcCode;
    this.statusMessage = message;
  }

  /** The registry resolved this call to a tool of the caller's view (the first resolution wins: `run-action`, not what it runs). */
  resolved(name: string): void {
    if (this.toolName !== undefined && this.resolvedTool === undefined) this.resolvedTool = cut(name, 128);
  }

  /** Reads the outcome off the JSON-RPC answer: an error, or a tool result with `isError`. */
  answered(message: JSONRPCMessage): void {
    if ('error' in message) {
      const code = (message.error as { code?: unknown }).code;
      const rpcCode = typeof code === 'number' ? code : undefined;
      this.fail(String(rpcCode ?? '_OTHER'), rpcCode, cut(String((message.error as { message?: unknown }).message ?? ''), 256));
    } else if ('result' in message && (message.result as { isError?: unknown } | undefined)?.isError === true) {
      this.fail('tool_error');
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const seconds = (performance.now() - this.started) / 1000;
    const span = this.span;
    if (span) {
      if (this.errorType !== undefined) {
        span.setAttribute('error.type', this.errorType);
        if (this.rpcCode !== undefined) span.setAttribute('rpc.response.status_code', String(this.rpcCode));
        span.setStatus({ code: SpanStatusCode.ERROR, ...(this.statusMessage ? { message: this.statusMessage } : {}) });
      }
      span.end();
    }
    const duration = this.pipeline.duration;
    if (!duration) return;
    const attributes: Attributes = { 'mcp.method.name': MCP_METHODS.has(this.method) ? this.method : '_OTHER' };
    // A metric point is kept for the life of the process: its attributes come from closed sets only.
    // A tool name is one the registry resolved in the caller's view; a name it did not resolve (an
    // unknown tool, a call the SDK rejected before dispatch) is the client's text, recorded as `other`.
    if (this.toolName !== undefined) {
      attributes['gen_ai.tool.name'] = this.resolvedTool ?? 'other';
      attributes['gen_ai.operation.name'] = 'execute_tool';
    }
    const version = protocolVersionLabel(this.protocolVersion);
    if (version !== undefined) attributes['mcp.protocol.version'] = version;
    if (this.errorType !== undefined) attributes['error.type'] = this.errorType;
    duration.record(seconds, attributes);
  }
}

/** Wraps an exporter so that failed exports are logged (the SDK would only tell its diag logger). */
class ExportFailures {
  private last = 0;
  private suppressed = 0;

  constructor(private readonly logger: Logger) {}

  check(what: string, result: ExportResult): void {
    if (result.code === ExportResultCode.SUCCESS) return;
    const now = Date.now();
    if (now - this.last < REPORT_EVERY_MS) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed ? ` (${this.suppressed} more failed exports since the last report)` : '';
    this.last = now;
    this.suppressed = 0;
    this.logger.warn(`OpenTelemetry: exporting ${what} failed: ${result.error?.message ?? 'unknown error'}${more}`);
  }

  spans(inner: SpanExporter): SpanExporter {
    return {
      export: (spans: ReadableSpan[], done: (result: ExportResult) => void) => inner.export(spans, (r) => (this.check('spans', r), done(r))),
      shutdown: () => inner.shutdown(),
      forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
    };
  }

  metrics(inner: PushMetricExporter): PushMetricExporter {
    return {
      export: (metrics, done) => inner.export(metrics, (r) => (this.check('metrics', r), done(r))),
      shutdown: () => inner.shutdown(),
      forceFlush: () => inner.forceFlush(),
      selectAggregationTemporality: inner.selectAggregationTemporality?.bind(inner),
      selectAggregation: inner.selectAggregation?.bind(inner),
    };
  }
}

/** The sampler `OTEL_TRACES_SAMPLER` (and `_ARG`) name. */
function samplerOf(config: Pick<TelemetryConfig, 'sampler' | 'samplerRatio'>): Sampler {
  const name = config.sampler;
  const root = name.endsWith('always_off')
    ? new AlwaysOffSampler()
    : name.endsWith('traceidratio')
      ? new TraceIdRatioBasedSampler(config.samplerRatio)
      : new AlwaysOnSampler();
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

/** The SDK objects of one enabled `McpTelemetry`. */
class Pipeline {
  readonly contextManager = new AsyncLocalStorageContextManager().enable();
  readonly propagator = new W3CTraceContextPropagator();
  readonly tracer?: Tracer;
  readonly duration?: Histogram;
  private readonly tracerProvider?: TracerProvider;
  private readonly meterProvider?: MeterProvider;

  constructor(config: TelemetryConfig, logger: Logger, exporters: TelemetryExporters = {}) {
    const failures = new ExportFailures(logger);
    // Defaults < OTEL_RESOURCE_ATTRIBUTES < OTEL_SERVICE_NAME (or ours).
    const resource: Resource = defaultResource()
      .merge(detectResources({ detectors: [envDetector] }))
      .merge(resourceFromAttributes({ 'service.name': config.serviceName }));
    if (config.tracesEnabled) {
      const options = { url: config.tracesUrl };
      const exporter = exporters.spans ?? (config.tracesProtocol === 'http/json' ? new JsonTraceExporter(options) : new ProtobufTraceExporter(options));
      // SDK 3 reads no environment variable here: the sampler, span limits and OTEL_BSP_* come from the config.
      this.tracerProvider = new TracerProvider({
        resource,
        sampler: samplerOf(config),
        spanLimits: config.spanLimits,
        spanProcessors: [new BatchSpanProcessor({ exporter: failures.spans(exporter), ...config.batch })],
      });
      this.tracer = this.tracerProvider.getTracer(SCOPE);
    }
    if (config.metricsEnabled) {
      const options = { url: config.metricsUrl };
      const exporter = exporters.metrics ?? (config.metricsProtocol === 'http/json' ? new JsonMetricExporter(options) : new ProtobufMetricExporter(options));
      const reader = new PeriodicExportingMetricReader({
        exporter: failures.metrics(exporter),
        exportIntervalMillis: config.metricExportIntervalMs,
        exportTimeoutMillis: config.metricExportTimeoutMs,
      });
      this.meterProvider = new MeterProvider({ resource, readers: [reader] });
      this.duration = this.meterProvider.getMeter(SCOPE).createHistogram(MCP_OPERATION_DURATION, {
        description: 'Duration of MCP requests as the server sees them',
        unit: 's',
        advice: { explicitBucketBoundaries: MCP_DURATION_BUCKETS },
      });
    }
  }

  /**
   * The parent of a request's span: `traceparent` in `params._meta`, else in the HTTP headers.
   * What a client may set (docs/security.md): the trace id and parent span id, so it can find its
   * calls. Not the sampling decision — a client's `sampled=00` would hide its calls from the
   * operator's traces — so a client's parent counts as sampled (recorded under the default
   * parent-based sampler; a sampler that is not parent-based decides alone);
   * and not `tracestate`, which is dropped (never forwarded to Integration.app).
   */
  parent(meta: unknown, headers: HeaderBag | undefined): Context {
    let ctx: Context | undefined;
    if (meta !== null && typeof meta === 'object' && typeof (meta as { traceparent?: unknown }).traceparent === 'string') {
      const fromMeta = this.propagator.extract(ROOT_CONTEXT, meta, defaultTextMapGetter);
      if (trace.getSpanContext(fromMeta)) ctx = fromMeta;
    }
    if (!ctx && headers?.traceparent !== undefined) ctx = this.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const remote = ctx && trace.getSpanContext(ctx);
    if (!remote || !isSpanContextValid(remote)) return ROOT_CONTEXT;
    return trace.setSpanContext(ROOT_CONTEXT, { traceId: remote.traceId, spanId: remote.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  }

  start(info: McpRequestInfo): ServedRequest {
    const parent = this.parent(info.meta, info.headers);
    const method = cut(info.method, 64);
    const target = info.target === undefined ? undefined : cut(info.target, 128);
    const toolName = method === 'tools/call' ? target : undefined;
    let span: Span | undefined;
    if (this.tracer) {
      const attributes: Attributes = { 'mcp.method.name': method };
      if (toolName !== undefined) {
        attributes['gen_ai.tool.name'] = toolName;
        attributes['gen_ai.operation.name'] = 'execute_tool';
      } else if (target !== undefined && method === 'prompts/get') attributes['gen_ai.prompt.name'] = target;
      else if (target !== undefined) attributes['mcp.resource.uri'] = target;
      // Span attributes that are the client's text are cut to a length (spans leave the process in
      // bounded batches); the protocol version is from a closed set, as in the metric.
      if (info.requestId !== undefined) attributes['jsonrpc.request.id'] = cut(String(info.requestId), 64);
      if (info.sessionId !== undefined) attributes['mcp.session.id'] = cut(info.sessionId, 128);
      const version = protocolVersionLabel(info.protocolVersion);
      if (version !== undefined) attributes['mcp.protocol.version'] = version;
      attributes['network.transport'] = 'tcp';
      attributes['network.protocol.name'] = 'http';
      span = this.tracer.startSpan(target === undefined ? method : `${method} ${target}`, { kind: SpanKind.SERVER, attributes }, parent);
    }
    const served: ServedRequest = new ServedRequest(this, span, parent, method, toolName, info.protocolVersion);
    served.context = (span ? trace.setSpan(parent, span) : parent).setValue(SERVED_REQUEST, served);
    return served;
  }

  /** The request being served in the current async context, if any. */
  current(): ServedRequest | undefined {
    return this.contextManager.active().getValue(SERVED_REQUEST) as ServedRequest | undefined;
  }

  async forceFlush(): Promise<void> {
    await Promise.all([this.tracerProvider?.forceFlush(), this.meterProvider?.forceFlush()]);
  }

  async shutdown(): Promise<void> {
    try {
      await Promise.allSettled([this.tracerProvider?.shutdown(), this.meterProvider?.shutdown()]);
    } finally {
      this.contextManager.disable();
    }
  }
}

/**
 * OpenTelemetry for the MCP server (SPEC §14): a SERVER span per MCP request named
 * `{mcp.method.name} {target}` with the MCP semantic-convention attributes, its parent taken from
 * `traceparent` in `params._meta`, else from the HTTP headers; CLIENT spans for requests to
 * Integration.app that carry `traceparent`; and the `mcp.server.operation.duration` histogram.
 * Exported over OTLP/HTTP (protobuf or JSON) as `OTEL_*` say (see `telemetry.config.ts`).
 *
 * Off by default, and then every method is a pass-through: no SDK object, no context manager.
 * When on, the SDK objects belong to this provider alone — no OpenTelemetry API globals are
 * registered (several apps in one process, as in the tests, must not share them) — and are
 * flushed and shut down with the application.
 */
@Injectable()
export class McpTelemetry implements RequestTracer, UpstreamTracer, OnApplicationShutdown {
  private readonly logger = new Logger('OpenTelemetry');
  private readonly pipeline?: Pipeline;
  private unhookable = false;

  constructor(@Inject(telemetryConfig.KEY) config: TelemetryConfig, @Optional() @Inject(TELEMETRY_EXPORTERS) exporters?: TelemetryExporters) {
    if (config.tracesEnabled || config.metricsEnabled) {
      this.pipeline = new Pipeline(config, this.logger, exporters);
      const what = [
        config.tracesEnabled && `traces (${config.tracesProtocol} to ${config.tracesUrl})`,
        config.metricsEnabled && `metrics (${config.metricsProtocol} to ${config.metricsUrl})`,
      ];
      this.logger.log(`Exporting ${what.filter(Boolean).join(' and ')} as service "${config.serviceName}"`);
      for (const warning of config.warnings) this.logger.warn(`OpenTelemetry: ${warning}`);
    }
  }

  get enabled(): boolean {
    return this.pipeline !== undefined;
  }

  /**
   * Runs `fn` as one MCP request: a SERVER span (current while `fn` runs) and a duration point.
   * A throw sets `error.type` (and is rethrown); `fn` can mark other failures through `outcome`.
   */
  async inRequestSpan<T>(info: McpRequestInfo, fn: (outcome: RequestOutcome) => Promise<T>): Promise<T> {
    const pipeline = this.pipeline;
    if (!pipeline) return fn(NOT_TRACED);
    const served = pipeline.start(info);
    try {
      return await pipeline.contextManager.with(served.context, fn, undefined, served);
    } catch (err) {
      served.fail(errorTypeOf(err));
      throw err;
    } finally {
      served.end();
    }
  }

  /**
   * Instruments an SDK `Server` connected to its transport: each JSON-RPC request it dispatches
   * runs in its own SERVER span, which ends when its answer is sent (`error.type` from a JSON-RPC
   * error or an `isError` tool result), when the client cancels it, or when the connection closes.
   * Headers come from the message's `requestInfo` when the transport passes them, else `exchange`.
   */
  traceServer(server: object, exchange: McpExchange): void {
    const pipeline = this.pipeline;
    if (!pipeline) return;
    const pending = new Map<RequestId, ServedRequest>();
    const hooked = hookProtocolRequests(server, {
      request: (request, extra, dispatch) => {
        const served = pipeline.start(describeRequest(request, exchange, extra?.requestInfo?.headers as HeaderBag | undefined));
        pending.get(request.id)?.end();
        pending.set(request.id, served);
        pipeline.contextManager.with(served.context, dispatch);
      },
      response: (message) => {
        const served = pending.get(message.id);
        if (!served) return;
        pending.delete(message.id);
        served.answered(message);
        served.end();
      },
      abandoned: (id, reason) => {
        for (const [key, served] of pending) {
          if (id !== undefined && key !== id) continue;
          pending.delete(key);
          served.fail(reason);
          served.end();
        }
      },
    });
    if (!hooked && !this.unhookable) {
      this.unhookable = true;
      this.logger.warn('The MCP SDK Server has no _onrequest/_onnotification any more: requests answered through it are not traced.');
    }
  }

  /**
   * Runs one upstream request as a CLIENT span, child of the current span. `fn` gets the headers
   * that carry the context (`traceparent`, `tracestate`), or undefined when traces are off.
   */
  async inClientSpan<T>(
    name: string,
    attributes: UpstreamSpanAttributes,
    fn: (headers: Record<string, string> | undefined) => Promise<T>,
    describeError?: (err: unknown) => UpstreamSpanAttributes,
  ): Promise<T> {
    const pipeline = this.pipeline;
    if (!pipeline?.tracer) return fn(undefined);
    const parent = pipeline.contextManager.active();
    const span = pipeline.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes: attributes as Attributes }, parent);
    const ctx = trace.setSpan(parent, span);
    const headers: Record<string, string> = {};
    pipeline.propagator.inject(ctx, headers, defaultTextMapSetter);
    try {
      return await pipeline.contextManager.with(ctx, fn, undefined, headers);
    } catch (err) {
      span.setAttributes((describeError?.(err) ?? { 'error.type': errorTypeOf(err) }) as Attributes);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  }

  /** Adds `traceparent` (and `tracestate`) of the current span to `headers`; nothing when not traced. */
  injectTraceparent(headers: Record<string, string>): Record<string, string> {
    const pipeline = this.pipeline;
    if (pipeline?.tracer) pipeline.propagator.inject(pipeline.contextManager.active(), headers, defaultTextMapSetter);
    return headers;
  }

  /** The registry resolved the current request's tool call to `name`, a tool of the caller's view. */
  toolResolved(name: string): void {
    this.pipeline?.current()?.resolved(name);
  }

  /** The trace id of the current span (32 hex digits), for the audit line; undefined when not traced. */
  currentTraceId(): string | undefined {
    const pipeline = this.pipeline;
    if (!pipeline) return undefined;
    const spanContext = trace.getSpanContext(pipeline.contextManager.active());
    return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
  }

  /** Exports what is buffered now (tests; an operator's flush before a planned stop). */
  async forceFlush(): Promise<void> {
    await this.pipeline?.forceFlush();
  }

  /** After the HTTP server has closed (the last requests' spans are ended): flush and stop, bounded. */
  async onApplicationShutdown(): Promise<void> {
    const pipeline = this.pipeline;
    if (!pipeline) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn(`Flushing telemetry took longer than ${SHUTDOWN_TIMEOUT_MS} ms; the rest is dropped.`);
        resolve();
      }, SHUTDOWN_TIMEOUT_MS);
      timer.unref();
    });
    await Promise.race([pipeline.shutdown(), timeout]);
    clearTimeout(timer);
  }
}

const NOT_TRACED: RequestOutcome = Object.freeze({ fail: () => undefined });
