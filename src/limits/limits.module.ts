import { Module } from '@nestjs/common';
import { TenantLimits } from './tenant-limits';

/** Per-tenant fairness: rates, open streams and concurrent upstream calls per identity. */
@Module({
  providers: [TenantLimits],
  exports: [TenantLimits],
})
export class LimitsModule {}
