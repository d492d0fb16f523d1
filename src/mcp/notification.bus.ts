import { Injectable } from '@nestjs/common';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** A server→client notification for a session's streams. */
export interface SessionNotification {
  kind?: 'notify';
  sessionId: string;
  message: { jsonrpc: '2.0'; method: string; params?: Record<string, unknown> };
}

/** Client→server messages of a legacy SSE session, received by a replica that does not hold its stream. */
export interface SseInbound {
  kind: 'sse-inbound';
  sessionId: string;
  messages: JSONRPCMessage[];
}

/** A client's `notifications/cancelled` for a request that may be running on another replica. */
export interface RequestCancel {
  kind: 'cancel';
  sessionId: string;
  requestId: string | number;
  reason?: string;
}

export type BusMessage = SessionNotification | SseInbound | RequestCancel;

/**
 * Carries messages to whichever replica holds a session's stream. The default delivers in-process;
 * the Redis adapter publishes to every replica.
 */
export abstract class NotificationBus {
  abstract publish(message: BusMessage): Promise<void>;
  abstract subscribe(handler: (message: BusMessage) => void): void;
}

@Injectable()
export class LocalNotificationBus extends NotificationBus {
  private handlers: Array<(n: BusMessage) => void> = [];

  async publish(message: BusMessage): Promise<void> {
    for (const h of this.handlers) h(message);
  }

  subscribe(handler: (message: BusMessage) => void): void {
    this.handlers.push(handler);
  }
}
