import { Module } from '@nestjs/common';
import { ToolCallObserver } from '../mcp/tool-call.observer';
import { UpstreamObserver } from '../integrations/upstream.observer';
import { MetricsService } from './metrics.service';

/**
 * The metrics registry and the observers that feed it. A leaf module (imports nothing), so that
 * integrations and mcp can import it without cycles; the observer classes are only DI tokens.
 */
@Module({
  providers: [
    MetricsService,
    {
      provide: ToolCallObserver,
      inject: [MetricsService],
      useFactory: (m: MetricsService): ToolCallObserver => ({ record: (i, o, d) => m.recordToolCall(i, o, d) }),
    },
    {
      provide: UpstreamObserver,
      inject: [MetricsService],
      useFactory: (m: MetricsService): UpstreamObserver => ({ record: (op, o, d) => m.recordUpstream(op, o, d) }),
    },
  ],
  exports: [MetricsService, ToolCallObserver, UpstreamObserver],
})
export class MetricsModule {}
