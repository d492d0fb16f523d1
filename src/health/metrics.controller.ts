import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';
import { appConfig, AppConfig } from '../config/app.config';
import { UnauthorizedError } from '../common/domain.errors';
import { MetricsService } from './metrics.service';

/** `GET /metrics` in Prometheus text format; `METRICS_REQUIRE_AUTH=true` demands `Bearer $METRICS_TOKEN`. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService, @Inject(appConfig.KEY) private readonly config: AppConfig) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(@Headers('authorization') authorization?: string): Promise<string> {
    if (this.config.metricsRequireAuth) {
      const expected = Buffer.from(`Bearer ${this.config.metricsToken ?? ''}`);
      const given = Buffer.from(authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new UnauthorizedError('Metrics require "Authorization: Bearer <METRICS_TOKEN>".');
      }
    }
    return this.metrics.render();
  }
}
