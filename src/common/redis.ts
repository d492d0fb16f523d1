import { Logger } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';

/** Redis connection settings shared by the session store and the notification bus. */
export function redisOptions(url: string): { url: string; options: RedisOptions; display: string } {
  const parsed = new URL(url);
  const display = `${parsed.hostname}:${parsed.port || 6379}`;
  return {
    url,
    display,
    options: {
      // Fail fast while disconnected instead of queueing requests forever; reconnect in the background.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
      connectTimeout: 3000,
      retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 3000),
      lazyConnect: false,
    },
  };
}

/**
 * Logs a Redis connection's trouble once per outage (and its recovery), not on every reconnect attempt.
 */
export function logConnectionState(client: Redis, logger: Logger, display: string): void {
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn(`Redis (${display}) unavailable: ${err.message}; reconnecting in the background`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.log(`Redis (${display}) is back`);
  });
}

/** Waits (bounded) for a Redis connection to become ready; resolves false when it did not. */
export function waitReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    timer.unref();
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('ready', onReady);
  });
}
