import { Module } from '@nestjs/common';
import { MemoryRateLimiterStore, RateLimiterStore } from './rate-limit';
import { TenantLimits } from './tenant-limits';

/**
 * Per-tenant fairness: rates, open streams and concurrent upstream calls per identity. Rates are
 * counted per replica (`MemoryRateLimiterStore`); a `RedisRateLimiterStore` on the shared client
 * makes them cluster-wide.
 */
@Module({
  providers: [{ provide: RateLimiterStore, useClass: MemoryRateLimiterStore }, TenantLimits],
  exports: [TenantLimits],
})
export class LimitsModule {}
