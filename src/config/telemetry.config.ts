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
 * Only what decides how the pipeline is built is read here; the OTel packages read the rest of
 * their standard variables themselves when they are on (`OTEL_EXPORTER_OTLP_HEADERS`, `_TIMEOUT`,
 * `_COMPRESSION`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER[_ARG]`, `OTEL_BSP_*`, span limits).
 * A value this server cannot serve (gRPC, another exporter) stops start-up with a message naming it.
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
  };
}

/** OpenTelemetry traces and the MCP duration metric (off by default). */
export const telemetryConfig = registerAs('telemetry', () => buildTelemetryConfig(process.env));
export type TelemetryConfig = ConfigType<typeof telemetryConfig>;
