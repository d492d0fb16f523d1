import { Injectable } from '@nestjs/common';
import { UpstreamObserver, UpstreamOperation } from '../integrations/upstream.observer';
import { ToolCallObserver, ToolCallOutcome } from '../tools/tool-call.observer';
import { MetricsService } from './metrics.service';

/**
 * Feeds tool-call outcomes into `mcp_tool_calls_total` / `mcp_tool_call_duration_seconds`.
 * McpModule binds its `ToolCallObserver` port to this class (`useExisting`).
 */
@Injectable()
export class MetricsToolCallObserver extends ToolCallObserver {
  constructor(private readonly metrics: MetricsService) {
    super();
  }

  override record(integrationKey: string, outcome: ToolCallOutcome, durationMs: number): void {
    this.metrics.recordToolCall(integrationKey, outcome, durationMs);
  }
}

/**
 * Feeds every Integration.app request into `mcp_upstream_request_duration_seconds`.
 * IntegrationsModule binds its `UpstreamObserver` port to this class (`useExisting`).
 */
@Injectable()
export class MetricsUpstreamObserver extends UpstreamObserver {
  constructor(private readonly metrics: MetricsService) {
    super();
  }

  override record(operation: UpstreamOperation, outcome: string, durationMs: number): void {
    this.metrics.recordUpstream(operation, outcome, durationMs);
  }
}
