import { Injectable } from '@nestjs/common';

export type UpstreamOperation = 'self' | 'list_connections' | 'list_integrations' | 'list_actions' | 'run_action';

/**
 * Port for upstream request outcomes (metrics): one `record` per HTTP request to Integration.app,
 * retries included, with `'ok'` or the `UpstreamError` kind. This default does nothing (handy when a
 * test builds the gateway by hand); IntegrationsModule binds the port to `MetricsUpstreamObserver`.
 */
@Injectable()
export class UpstreamObserver {
  record(_operation: UpstreamOperation, _outcome: string, _durationMs: number): void {
    return;
  }
}
