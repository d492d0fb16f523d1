import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';
import { appConfig, AppConfig } from '../config/app.config';
import { UnauthorizedError } from '../common/domain.errors';
import { MetricsService } from './metrics.service';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** `GET /metrics` in Prometheus text format; `METRICS_REQUIRE_AUTH=true` demands `Bearer $METRICS_TOKEN`. */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(@Headers('authorization') authorization?: string): Promise<string> {
    if (this.config.metricsRequireAuth && !this.authorized(authorization)) {
      throw new UnauthorizedError('Metrics require "Authorization: Bearer <METRICS_TOKEN>".');
    }
    return this.metrics.render();
  }

  /** Constant-time: both sides are hashed first, so neither length nor content leaks through timing. */
  private authorized(header: string | undefined): boolean {
    const expected = this.config.metricsToken;
    const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (!expected || !given) return false;
    return timingSafeEqual(digest(given), digest(expected));
  }
}
