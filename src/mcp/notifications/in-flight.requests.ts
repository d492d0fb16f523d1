import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { BusMessage, NotificationBus } from './notification.bus';

type Cancel = (reason?: string) => void;

/**
 * The requests of Streamable HTTP sessions that this replica is running, so that a client's
 * `notifications/cancelled` — which arrives in another HTTP request, maybe at another replica —
 * reaches the one request it names: cancellations go out on the notification bus and the replica
 * running the request aborts it (its upstream call is aborted too, and it gets no answer).
 */
@Injectable()
export class InFlightRequests implements OnModuleInit {
  private readonly logger = new Logger(InFlightRequests.name);
  private readonly running = new Map<string, Cancel>();

  constructor(private readonly bus: NotificationBus) {}

  onModuleInit(): void {
    this.bus.subscribe((m: BusMessage) => {
      if (m.kind === 'cancel') this.cancelHere(m.sessionId, m.requestId, m.reason);
    });
  }

  private static key(sessionId: string, requestId: RequestId): string {
    return `${sessionId}\u0000${typeof requestId}\u0000${requestId}`;
  }

  get size(): number {
    return this.running.size;
  }

  /** Registers a running request; the returned function unregisters it. */
  add(sessionId: string, requestId: RequestId, cancel: Cancel): () => void {
    const key = InFlightRequests.key(sessionId, requestId);
    this.running.set(key, cancel);
    return () => {
      if (this.running.get(key) === cancel) this.running.delete(key);
    };
  }

  /** Cancels the session's request wherever it runs. */
  async cancel(sessionId: string, requestId: RequestId, reason?: string): Promise<void> {
    if (this.cancelHere(sessionId, requestId, reason)) return;
    try {
      await this.bus.publish({ kind: 'cancel', sessionId, requestId, ...(reason !== undefined ? { reason: reason.slice(0, 500) } : {}) });
    } catch (err) {
      this.logger.warn(`Could not forward a cancellation for session ${sessionId}: ${(err as Error).message}`);
    }
  }

  private cancelHere(sessionId: string, requestId: RequestId, reason?: string): boolean {
    const key = InFlightRequests.key(sessionId, requestId);
    const cancel = this.running.get(key);
    if (!cancel) return false;
    this.running.delete(key);
    cancel(reason);
    return true;
  }
}
