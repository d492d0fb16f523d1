import { Module, OnModuleInit } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CatalogService } from '../integrations/catalog.service';
import { IntegrationsModule } from '../integrations/integrations.module';
import { McpModule } from '../mcp/mcp.module';
import { OpenStreams } from '../mcp/open-streams';
import { SessionsModule } from '../sessions/sessions.module';
import { SessionsService } from '../sessions/sessions.service';
import { HealthController } from './health.controller';
import { MetricsController } from '../telemetry/metrics.controller';
import { MetricsModule } from '../telemetry/metrics.module';
import { MetricsService } from '../telemetry/metrics.service';
import { ShutdownService } from './shutdown.service';

/**
 * Probes, the /metrics endpoint and graceful shutdown. Sits on top: it imports Mcp, Sessions and
 * Integrations (gauges, store ping, streams to close) and nothing imports it back.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), MetricsModule, SessionsModule, McpModule, IntegrationsModule],
  controllers: [HealthController, MetricsController],
  providers: [ShutdownService],
  exports: [ShutdownService],
})
export class HealthModule implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly sessions: SessionsService,
    private readonly streams: OpenStreams,
    private readonly catalogs: CatalogService,
  ) {}

  /** Gauges read at scrape time; a failing source (store down) leaves only its own gauge stale. */
  onModuleInit(): void {
    this.metrics.onCollect(() => this.metrics.openStreams.set(this.streams.count));
    this.metrics.onCollect(() => this.metrics.cachedCatalogs.set(this.catalogs.cachedIdentities));
    this.metrics.onCollect(async () => this.metrics.openSessions.set(await this.sessions.count()));
  }
}
