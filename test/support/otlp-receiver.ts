import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait';

/** One POST the receiver got. */
export interface OtlpPost {
  path: string;
  contentType: string;
  body: Buffer;
}

/** A span of an OTLP/JSON export, flattened (attributes as a plain object). */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  status?: { code?: number; message?: string };
  resource: Record<string, string | number | boolean>;
}

/** A data point of an OTLP/JSON histogram, flattened. */
export interface ReceivedHistogramPoint {
  metric: string;
  unit?: string;
  count: number;
  sum?: number;
  explicitBounds: number[];
  attributes: Record<string, string | number | boolean>;
}

export interface OtlpReceiver {
  /** The base URL (OTEL_EXPORTER_OTLP_ENDPOINT). */
  url: string;
  posts: OtlpPost[];
  /** Spans of every JSON trace export so far. */
  spans(): ReceivedSpan[];
  /** Histogram points of every JSON metric export so far. */
  histogramPoints(name: string): ReceivedHistogramPoint[];
  /** Waits until a span matches (or fails after `timeoutMs`). */
  waitForSpan(match: (s: ReceivedSpan) => boolean, timeoutMs?: number): Promise<ReceivedSpan>;
  close(): Promise<void>;
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type KeyValue = { key: string; value: AnyValue };

function flat(attributes: KeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes ?? []) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.boolValue ?? value.doubleValue ?? '';
  }
  return out;
}

/**
 * A stand-in OpenTelemetry Collector: accepts OTLP/HTTP posts on /v1/traces and /v1/metrics
 * (any encoding), answers 200 `{}`, and decodes the JSON ones for assertions.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const posts: OtlpPost[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (req.method !== 'POST' || (path !== '/v1/traces' && path !== '/v1/metrics')) {
        res.writeHead(404).end();
        return;
      }
      posts.push({ path, contentType: String(req.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
      const json = String(req.headers['content-type'] ?? '').includes('json');
      res.writeHead(200, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const jsonBodies = (path: string) =>
    posts.filter((p) => p.path === path && p.contentType.includes('json')).map((p) => JSON.parse(p.body.toString('utf8')) as Record<string, unknown[]>);

  const spans = (): ReceivedSpan[] => {
    const out: ReceivedSpan[] = [];
    for (const body of jsonBodies('/v1/traces')) {
      for (const rs of (body.resourceSpans ?? []) as Array<{
        resource?: { attributes?: KeyValue[] };
        scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
      }>) {
        const resource = flat(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            out.push({
              traceId: s.traceId as string,
              spanId: s.spanId as string,
              parentSpanId: (s.parentSpanId as string | undefined) || undefined,
              name: s.name as string,
              kind: s.kind as number,
              attributes: flat(s.attributes as KeyValue[]),
              status: s.status as ReceivedSpan['status'],
              resource,
            });
          }
        }
      }
    }
    return out;
  };

  const histogramPoints = (name: string): ReceivedHistogramPoint[] => {
    const out: ReceivedHistogramPoint[] = [];
    for (const body of jsonBodies('/v1/metrics')) {
      for (const rm of (body.resourceMetrics ?? []) as Array<{ scopeMetrics?: Array<{ metrics?: Array<Record<string, unknown>> }> }>) {
        for (const sm of rm.scopeMetrics ?? []) {
          for (const m of sm.metrics ?? []) {
            if (m.name !== name) continue;
            const points = (m.histogram as { dataPoints?: Array<Record<string, unknown>> } | undefined)?.dataPoints ?? [];
            for (const p of points) {
              out.push({
                metric: name,
                unit: m.unit as string | undefined,
                count: Number(p.count),
                sum: p.sum === undefined ? undefined : Number(p.sum),
                explicitBounds: (p.explicitBounds as number[] | undefined) ?? [],
                attributes: flat(p.attributes as KeyValue[]),
              });
            }
          }
        }
      }
    }
    return out;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    spans,
    histogramPoints,
    async waitForSpan(match, timeoutMs = 5000) {
      let found: ReceivedSpan | undefined;
      await waitFor('a matching span at the OTLP receiver', () => (found = spans().find(match)) !== undefined, { timeoutMs });
      return found!;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
