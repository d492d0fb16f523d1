import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MetricsModule } from '../telemetry/metrics.module';
import { MetricsToolCallObserver } from '../telemetry/metrics.observers';
import { IntegrationsModule } from '../integrations/integrations.module';
import { LimitsModule } from '../limits/limits.module';
import { SessionsModule } from '../sessions/sessions.module';
import { InFlightRequests } from './in-flight.requests';
import { McpServerFactory } from './mcp-server.factory';
import { LocalNotificationBus, NotificationBus } from './notification.bus';
import { NotificationHub } from './notification.hub';
import { RedisNotificationBus } from './redis-notification.bus';
import { sessionsConfig, SessionsConfig } from '../config/app.config';
import { SseController } from './transports/sse.controller';
import { SseService } from './transports/sse.service';
import { StreamableHttpController } from './transports/streamable-http.controller';
import { StreamableHttpService } from './transports/streamable-http.service';
import { ToolCallObserver } from '../tools/tool-call.observer';
import { ToolsService } from './tools.service';

/** MCP transports, the per-request MCP server, and tools read from the shared catalog. */
@Module({
  imports: [AuthModule, IntegrationsModule, SessionsModule, MetricsModule, LimitsModule],
  controllers: [StreamableHttpController, SseController],
  providers: [
    ToolsService,
    McpServerFactory,
    NotificationHub,
    InFlightRequests,
    StreamableHttpService,
    SseService,
    { provide: ToolCallObserver, useExisting: MetricsToolCallObserver },
    {
      provide: NotificationBus,
      inject: [sessionsConfig.KEY],
      useFactory: (config: SessionsConfig): NotificationBus =>
        config.redisUrl ? new RedisNotificationBus(config.redisUrl, config.redisKeyPrefix, config.idleTtlSeconds) : new LocalNotificationBus(),
    },
  ],
  exports: [ToolsService, NotificationHub, SseService],
})
export class McpModule {}
