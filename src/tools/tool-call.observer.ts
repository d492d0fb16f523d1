import { Injectable } from '@nestjs/common';

export type ToolCallOutcome = string;

/**
 * Hook for tool-call outcomes (metrics). The default does nothing; the health module's metrics
 * provider replaces it. Kept as a class so it is its own DI token.
 */
@Injectable()
export class ToolCallObserver {
  record(_integrationKey: string, _outcome: ToolCallOutcome, _durationMs: number): void {
    return;
  }
}
