import { Injectable } from '@nestjs/common';

/** Attributes of an upstream request's span (OpenTelemetry attribute values). */
export type UpstreamSpanAttributes = Record<string, string | number | boolean | undefined>;

/**
 * Port for tracing requests to Integration.app (OpenTelemetry CLIENT spans carrying `traceparent`),
 * bound by `TelemetryModule` to `McpTelemetry`. This default traces nothing: `fn` gets no headers.
 */
@Injectable()
export class UpstreamTracer {
  /** Whether upstream requests are traced (callers may skip building span details when not). */
  get enabled(): boolean {
    return false;
  }

  /**
   * Runs one upstream request as a client span named `name`. `fn` receives the headers to add to
   * the request (`traceparent`, `tracestate`), or undefined when nothing is traced. A thrown error
   * is described by `describeError` (`error.type`, `http.response.status_code`) and rethrown.
   */
  inClientSpan<T>(
    _name: string,
    _attributes: UpstreamSpanAttributes,
    fn: (headers: Record<string, string> | undefined) => Promise<T>,
    _describeError?: (err: unknown) => UpstreamSpanAttributes,
  ): Promise<T> {
    return fn(undefined);
  }
}
