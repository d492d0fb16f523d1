import { ConfigType, registerAs } from '@nestjs/config';

/** OTLP over HTTP, the two encodings the exporters in package.json speak. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
const DIAG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;
export type OtelLogLevel = (typeof DIAG_LEVELS)[number];

export const DEFAULT_SERVICE_NAME = 'integration-app-mcp-server';
const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

type Env = Record<string, string | undefined>;

const value = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v ? v : undefined;
};

/** `OTEL_TRACES_EXPORTER` / `OTEL_METRICS_EXPORTER`: a comma list of which only `otlp` and `none` are served here. */
function exporters(env: Env, name: string, hint: string): string[] {
  const list = (value(env, name) ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  for (const e of list) {
    if (e !== 'otlp' && e !== 'none') throw new Error(`${name}="${e}" is not supported: use otlp or none${hint}.`);
  }
  return list;
}

function protocol(env: Env, signalName: string): OtlpProtocol {
  const name = value(env, signalName) !== undefined ? signalName : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const given = value(env, name) ?? 'http/protobuf';
  if (!(PROTOCOLS as readonly string[]).includes(given)) {
    throw new Error(`${name}="${given}" is not supported: OTLP is sent over HTTP, use http/protobuf (default) or http/json.`);
  }
  return given as OtlpProtocol;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const given = value(env, name);
  if (given === undefined) return fallback;
  const n = Number(given);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}="${given}" must be a positive integer (milliseconds).`);
  return n;
}

/** `OTEL_TRACES_SAMPLER` values (the specification's built-in samplers). */
const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** An operator's value as a warning quotes it: cut, so a runaway variable cannot flood the log line. */
function shown(given: string | undefined): string {
  const v = given ?? '';
  return v.length > 64 ? `${v.slice(0, 64)}…` : v;
}

/**
 * A number variable as the SDK 2 read it (`getNumberFromEnv` of `@opentelemetry/core`): unset or
 * blank gives the default, and so does a value that is not a number (with a warning, where SDK 2
 * told its diag logger). A negative value gives the default too (SDK 2 passed it on, where it
 * dropped every span or attribute; SDK 3's own env reader refuses it the same way).
 */
function sdkNumber(env: Env, name: string, fallback: number, warnings: string[]): number {
  const given = value(env, name);
  if (given === undefined) return fallback;
  const n = Number(given);
  if (Number.isNaN(n) || n < 0) {
    warnings.push(`${name}="${shown(given)}" is not a non-negative number: using the default, ${fallback}.`);
    return fallback;
  }
  return n;
}

/**
 * What the SDK 2 tracer provider and batch span processor read from the environment themselves and
 * SDK 3 no longer does: the sampler, span limits and `OTEL_BSP_*`, with SDK 2's defaults and its
 * answer to a bad value (the default; a warning is logged at start-up).
 */
function traceSettings(env: Env, warnings: string[]) {
  let sampler = (value(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on') as SamplerName;
  if (!SAMPLERS.includes(sampler)) {
    warnings.push(`OTEL_TRACES_SAMPLER="${shown(env.OTEL_TRACES_SAMPLER)}" is not one of ${SAMPLERS.join(', ')}: using parentbased_always_on.`);
    sampler = 'parentbased_always_on';
  }
  let samplerRatio = 1;
  if (sampler.endsWith('traceidratio')) {
    const given = value(env, 'OTEL_TRACES_SAMPLER_ARG');
    const n = Number(given);
    if (given !== undefined && n >= 0 && n <= 1) samplerRatio = n;
    else if (given === undefined) warnings.push(`OTEL_TRACES_SAMPLER=${sampler} without OTEL_TRACES_SAMPLER_ARG: sampling with ratio 1.`);
    else warnings.push(`OTEL_TRACES_SAMPLER_ARG="${shown(given)}" is not a ratio in [0, 1]: sampling with ratio 1.`);
  }
  const limit = (name: string, fallback: number) => sdkNumber(env, name, fallback, warnings);
  // A span's limit falls back to the general OTEL_ATTRIBUTE_* one, then to the SDK default.
  const attributeCountLimit = limit('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', limit('OTEL_ATTRIBUTE_COUNT_LIMIT', 128));
  const attributeValueLengthLimit = limit('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', limit('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', Infinity));
  return {
    sampler,
    samplerRatio,
    spanLimits: {
      attributeCountLimit,
      attributeValueLengthLimit,
      eventCountLimit: limit('OTEL_SPAN_EVENT_COUNT_LIMIT', 128),
      linkCountLimit: limit('OTEL_SPAN_LINK_COUNT_LIMIT', 128),
      attributePerEventCountLimit: limit('OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT', 128),
      attributePerLinkCountLimit: limit('OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT', 128),
    },
    // The batch span processor (it lowers a batch size above the queue size to the queue size).
    batch: {
      maxQueueSize: limit('OTEL_BSP_MAX_QUEUE_SIZE', 2048),
      scheduledDelayMillis: limit('OTEL_BSP_SCHEDULE_DELAY', 5000),
      exportTimeoutMillis: limit('OTEL_BSP_EXPORT_TIMEOUT', 30_000),
      maxExportBatchSize: limit('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512),
    },
  };
}

/** The OTLP URL of one signal, as the OTLP exporter specification derives it. */
function signalUrl(env: Env, signal: 'TRACES' | 'METRICS', path: string): string {
  const own = value(env, `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`);
  if (own) return own;
  const base = value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ?? DEFAULT_OTLP_ENDPOINT;
  return `${base.replace(/\/+$/, '')}/${path}`;
}

/**
 * OpenTelemetry settings from the standard `OTEL_*` variables. Everything is off unless
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or a per-signal endpoint) or `OTEL_TRACES_EXPORTER` is set;
 * `OTEL_SDK_DISABLED=true` and `OTEL_{TRACES,METRICS}_EXPORTER=none` turn a signal off again.
 * Read here: what decides how the pipeline is built, and what the SDK 3 tracer provider and batch
 * span processor no longer read themselves (`OTEL_TRACES_SAMPLER[_ARG]`, `OTEL_BSP_*`, the
 * `OTEL_SPAN_*`/`OTEL_ATTRIBUTE_*` limits; see `traceSettings`). The OTel packages read the rest of
 * their standard variables themselves when they are on (`OTEL_EXPORTER_OTLP_HEADERS`, `_TIMEOUT`,
 * `_COMPRESSION`, `OTEL_RESOURCE_ATTRIBUTES`).
 * A value this server cannot serve (gRPC, another exporter) stops start-up with a message naming it;
 * a bad sampler, limit or batch value gives the SDK default and a warning in `warnings`, as SDK 2 did.
 */
export function buildTelemetryConfig(env: Env) {
  const disabled = value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true';
  const traceExporters = exporters(env, 'OTEL_TRACES_EXPORTER', '');
  const metricExporters = exporters(env, 'OTEL_METRICS_EXPORTER', ' (the Prometheus metrics are served at GET /metrics regardless)');
  const endpoint = value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined;
  const tracesEnabled =
    !disabled &&
    !traceExporters.includes('none') &&
    (traceExporters.includes('otlp') || endpoint || value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined);
  // The MCP duration metric goes with the traces unless asked for (or refused) on its own.
  const metricsEnabled =
    !disabled &&
    !metricExporters.includes('none') &&
    (tracesEnabled || metricExporters.includes('otlp') || endpoint || value(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') !== undefined);
  const logLevel = (value(env, 'OTEL_LOG_LEVEL')?.toLowerCase() ?? 'warn') as OtelLogLevel;
  if (!DIAG_LEVELS.includes(logLevel)) throw new Error(`OTEL_LOG_LEVEL="${env.OTEL_LOG_LEVEL}" must be one of ${DIAG_LEVELS.join(', ')}.`);
  const warnings: string[] = [];
  const traces = traceSettings(tracesEnabled ? env : {}, warnings);
  const metricExportIntervalMs = metricsEnabled ? positiveInt(env, 'OTEL_METRIC_EXPORT_INTERVAL', 60_000) : 60_000;
  return {
    tracesEnabled,
    metricsEnabled,
    serviceName: value(env, 'OTEL_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME,
    tracesProtocol: tracesEnabled ? protocol(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') : ('http/protobuf' as OtlpProtocol),
    metricsProtocol: metricsEnabled ? protocol(env, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL') : ('http/protobuf' as OtlpProtocol),
    tracesUrl: signalUrl(env, 'TRACES', 'v1/traces'),
    metricsUrl: signalUrl(env, 'METRICS', 'v1/metrics'),
    metricExportIntervalMs,
    // The reader refuses a timeout longer than its interval.
    metricExportTimeoutMs: Math.min(metricExportIntervalMs, metricsEnabled ? positiveInt(env, 'OTEL_METRIC_EXPORT_TIMEOUT', 30_000) : 30_000),
    logLevel,
    ...traces,
    /** Bad values that were replaced by their default: logged when telemetry starts. */
    warnings,
  };
}

/** OpenTelemetry traces and the MCP duration metric (off by default). */
export const telemetryConfig = registerAs('telemetry', () => buildTelemetryConfig(process.env));
export type TelemetryConfig = ConfigType<typeof telemetryConfig>;
