import { Module } from '@nestjs/common';
import { MetricsToolCallObserver, MetricsUpstreamObserver } from './metrics.observers';
import { MetricsService } from './metrics.service';

/**
 * The app's Prometheus registry and the observer adapters that feed it. A leaf module: it imports
 * no other module, so McpModule and IntegrationsModule can import it and bind their observer ports
 * to these adapters (`useExisting`) without cycles. The adapters only extend the two
 * dependency-free port classes (`ToolCallObserver`, `UpstreamObserver`).
 */
@Module({
  providers: [MetricsService, MetricsToolCallObserver, MetricsUpstreamObserver],
  exports: [MetricsService, MetricsToolCallObserver, MetricsUpstreamObserver],
})
export class MetricsModule {}
