import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { telemetryConfig } from '../config/telemetry.config';
import { UpstreamTracer } from '../integrations/upstream.tracer';
import { RequestTracer } from '../mcp/request-tracer';
import { TraceIds } from '../tools/trace-ids';
import { McpTelemetry } from './tracing';

/**
 * OpenTelemetry (off unless `OTEL_*` turn it on): `McpTelemetry` bound to the ports that reach it —
 * `RequestTracer` (MCP transports), `UpstreamTracer` (the Integration.app gateway) and `TraceIds`
 * (the audit line; bound only when tracing is on, as the registry expects). `SeamsModule` imports
 * and re-exports it, so the ports are bound once for every module (the feature modules sit below
 * `telemetry` and cannot import it).
 */
@Module({
  imports: [ConfigModule.forFeature(telemetryConfig)],
  providers: [
    McpTelemetry,
    { provide: RequestTracer, useExisting: McpTelemetry },
    { provide: UpstreamTracer, useExisting: McpTelemetry },
    {
      provide: TraceIds,
      inject: [McpTelemetry],
      useFactory: (telemetry: McpTelemetry): TraceIds | undefined =>
        telemetry.enabled ? { current: () => telemetry.currentTraceId(), toolResolved: (name) => telemetry.toolResolved(name) } : undefined,
    },
  ],
  exports: [McpTelemetry, RequestTracer, UpstreamTracer, TraceIds],
})
export class TelemetryModule {}
