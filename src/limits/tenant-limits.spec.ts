import { QuotaExceededError, RateLimitedError } from '../common/domain.errors';
import type { AppConfig } from '../config/app.config';
import { MemoryRateLimiterStore } from './rate-limit';
import { TenantLimits } from './tenant-limits';

const limits = (extra: Partial<AppConfig> = {}) =>
  new TenantLimits(
    { rateLimitPerMinute: 3, tokenChecksPerMinute: 2, maxStreamsPerIdentity: 1, maxConcurrentCallsPerIdentity: 1, ...extra } as AppConfig,
    new MemoryRateLimiterStore(),
  );

describe('TenantLimits', () => {
  it('charges JSON-RPC calls per rate key, a batch all or nothing, with the calls message', async () => {
    const l = limits();
    await l.chargeCalls('id-a', 2);
    await expect(l.chargeCalls('id-a', 2)).rejects.toBeInstanceOf(RateLimitedError);
    await l.chargeCalls('id-a');
    const refused = l.chargeCalls('id-a');
    await expect(refused).rejects.toThrow(/^Too many requests for this identity; retry after \d+ s\.$/);
    await expect(l.chargeCalls('id-b', 3)).resolves.toBeUndefined();
  });

  it('counts token checks apart from calls, with their own message', async () => {
    const l = limits();
    await l.chargeCalls('id-a', 3);
    await l.chargeTokenCheck('id-a');
    await l.chargeTokenCheck('id-a');
    const refused = l.chargeTokenCheck('id-a');
    await expect(refused).rejects.toThrow(/^Too many unverified access tokens for this identity; retry after \d+ s\.$/);
    await expect(l.chargeTokenCheck('id-b')).resolves.toBeUndefined();
  });

  it('charges nothing with RATE_LIMIT_PER_MINUTE=0 and TOKEN_CHECKS_PER_MINUTE=0', async () => {
    const l = limits({ rateLimitPerMinute: 0, tokenChecksPerMinute: 0 });
    for (let i = 0; i < 100; i++) {
      await l.chargeCalls('id', 50);
      await l.chargeTokenCheck('id');
    }
    expect(l.trackedRateKeys).toBe(0);
  });

  it('caps open streams per identity', () => {
    const l = limits();
    const release = l.acquireStream('id');
    expect(() => l.acquireStream('id')).toThrow(QuotaExceededError);
    release();
    release();
    expect(l.streamsOf('id')).toBe(0);
    l.acquireStream('id')();
  });
});
