import type { RedisServer } from './redis-server';
import { STARTED_REDIS } from './redis.global-setup';

/** Jest globalTeardown: stops the redis-server that redis.global-setup.ts started for this run, if any. */
export default async function redisGlobalTeardown(): Promise<void> {
  const holder = globalThis as typeof globalThis & { [STARTED_REDIS]?: RedisServer };
  const server = holder[STARTED_REDIS];
  if (!server) return;
  delete holder[STARTED_REDIS];
  await server.cleanup();
}
