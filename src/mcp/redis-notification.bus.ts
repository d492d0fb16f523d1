import { Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { logConnectionState, redisOptions } from '../sessions/redis-session.store';
import { BusMessage, NotificationBus } from './notification.bus';

/** The notification bus over Redis pub/sub: every replica receives every message and keeps what it holds. */
export class RedisNotificationBus extends NotificationBus implements OnModuleDestroy {
  private readonly logger = new Logger(RedisNotificationBus.name);
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  private readonly handlers: Array<(m: BusMessage) => void> = [];

  constructor(url: string, prefix: string) {
    super();
    const { options, display } = redisOptions(url);
    this.channel = `${prefix}bus`;
    this.pub = new Redis(url, options);
    // The subscriber keeps its subscription across reconnects (ioredis re-subscribes on its own).
    this.sub = new Redis(url, { ...options, enableOfflineQueue: true, maxRetriesPerRequest: null });
    for (const c of [this.pub, this.sub]) logConnectionState(c, this.logger, display);
    this.sub.subscribe(this.channel).catch((err: Error) => this.logger.error(`Cannot subscribe to ${this.channel}: ${err.message}`));
    this.sub.on('message', (channel: string, payload: string) => {
      if (channel !== this.channel) return;
      let message: BusMessage;
      try {
        message = JSON.parse(payload) as BusMessage;
      } catch {
        return;
      }
      if (!message || typeof message.sessionId !== 'string') return;
      for (const h of this.handlers) h(message);
    });
  }

  async publish(message: BusMessage): Promise<void> {
    await this.pub.publish(this.channel, JSON.stringify(message));
  }

  subscribe(handler: (message: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.pub, this.sub].map((c) => c.quit().catch(() => c.disconnect())));
  }
}
