import { Logger, Module, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { sessionsConfig, SessionsConfig } from '../config/app.config';
import { logConnectionState, redisOptions } from '../common/redis';
import { MemoryRateLimiterStore, RateLimiterStore, RedisRateLimiterStore } from './rate-limit';
import { TenantLimits } from './tenant-limits';

/** Rate-limit counters in Redis on a connection of their own, closed with the module. */
class ClusterRateLimiterStore extends RedisRateLimiterStore implements OnModuleDestroy {
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    super(redis, prefix);
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Per-tenant fairness: rates, open streams and concurrent upstream calls per identity. With
 * `REDIS_URL` the rate counters live in Redis (`<prefix>rl:…`), so a limit holds across every
 * replica; without it they are per replica. Streams and concurrent calls are per replica.
 */
@Module({
  providers: [
    {
      provide: RateLimiterStore,
      inject: [sessionsConfig.KEY],
      useFactory: (config: SessionsConfig): RateLimiterStore => {
        if (!config.redisUrl) return new MemoryRateLimiterStore();
        const { options, display } = redisOptions(config.redisUrl);
        const client = new Redis(config.redisUrl, options);
        logConnectionState(client, new Logger('RateLimits'), display);
        return new ClusterRateLimiterStore(client, `${config.redisKeyPrefix}rl:`);
      },
    },
    TenantLimits,
  ],
  exports: [TenantLimits],
})
export class LimitsModule {}
