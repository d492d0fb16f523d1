import { Injectable } from '@nestjs/common';

export type UpstreamOperation = 'self' | 'list_connections' | 'list_actions' | 'run_action';

/** Hook for upstream call outcomes (metrics). The default does nothing; MetricsModule replaces it. */
@Injectable()
export class UpstreamObserver {
  record(_operation: UpstreamOperation, _outcome: string, _durationMs: number): void {
    return;
  }
}
