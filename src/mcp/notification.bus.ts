import { Injectable } from '@nestjs/common';

export interface SessionNotification {
  sessionId: string;
  message: { jsonrpc: '2.0'; method: string; params?: Record<string, unknown> };
}

/**
 * Carries server→client notifications to whichever replica holds the session's stream.
 * The default delivers in-process; the Redis adapter publishes to every replica.
 */
export abstract class NotificationBus {
  abstract publish(notification: SessionNotification): Promise<void>;
  abstract subscribe(handler: (notification: SessionNotification) => void): void;
}

@Injectable()
export class LocalNotificationBus extends NotificationBus {
  private handlers: Array<(n: SessionNotification) => void> = [];

  async publish(notification: SessionNotification): Promise<void> {
    for (const h of this.handlers) h(notification);
  }

  subscribe(handler: (notification: SessionNotification) => void): void {
    this.handlers.push(handler);
  }
}
