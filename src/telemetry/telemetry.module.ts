import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { telemetryConfig } from '../config/telemetry.config';
import { UpstreamTracer } from '../integrations/upstream.tracer';
import { RequestTracer } from '../mcp/request-tracer';
import { TraceIds } from '../tools/trace-ids';
import { McpTelemetry } from './tracing';

/**
 * OpenTelemetry (off unless `OTEL_*` turn it on): `McpTelemetry` bound to the ports that reach it —
 * `RequestTracer` (MCP transports), `UpstreamTracer` (the Integration.app gateway) and `TraceIds`
 * (the audit line; bound only when tracing is on, as the registry expects). Global, like
 * `SeamsModule`, because it binds ports once for modules that cannot import it: the gateway is
 * provided by the global `SeamsModule`, and `telemetry` sits below no feature module.
 */
@Global()
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
