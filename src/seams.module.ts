import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { UpstreamTokenCheck } from './auth/upstream-token.check';
import { sessionsConfig, SessionsConfig } from './config/app.config';
import { GatewayTokenCheck } from './integrations/gateway-token.check';
import { IntegrationAppGateway } from './integrations/integration-app.gateway';
import { SdkIntegrationAppGateway } from './integrations/sdk-integration-app.gateway';
import { UpstreamObserver } from './integrations/upstream.observer';
import { LocalNotificationBus, NotificationBus } from './mcp/notifications/notification.bus';
import { RedisNotificationBus } from './mcp/notifications/redis-notification.bus';
import { MemorySessionStore } from './sessions/memory-session.store';
import { RedisSessionStore } from './sessions/redis-session.store';
import { SessionStore } from './sessions/session.store';
import { MetricsModule } from './telemetry/metrics.module';
import { TelemetryModule } from './telemetry/telemetry.module';
import { MetricsToolCallObserver, MetricsUpstreamObserver } from './telemetry/metrics.observers';
import { ToolCallObserver } from './tools/tool-call.observer';

/** The adapters a deployment may swap, each a class extending its port. */
export interface SeamOptions {
  /** Where sessions and chat mappings live. Default: Redis when `REDIS_URL` is set, else in memory. */
  sessionStore?: Type<SessionStore>;
  /** The port to Integration.app. Default: the `@integration-app/sdk` adapter. */
  gateway?: Type<IntegrationAppGateway>;
  /** How replicas tell each other about notifications, cancellations and closed sessions. Default: Redis pub/sub with `REDIS_URL`, else in-process. */
  notificationBus?: Type<NotificationBus>;
}

/**
 * Binds the ports every feature module depends on (session store, Integration.app gateway,
 * notification bus, the observer ports telemetry implements, the upstream token check) to their
 * adapters, once, for the whole application. Global, like the config
 * module, so that a deployment swaps an adapter in `McpServerModule.forRoot()` without the feature
 * modules knowing.
 */
@Module({})
export class SeamsModule {
  static register(options: SeamOptions = {}): DynamicModule {
    const providers: Provider[] = [
      { provide: UpstreamObserver, useExisting: MetricsUpstreamObserver },
      { provide: ToolCallObserver, useExisting: MetricsToolCallObserver },
      { provide: UpstreamTokenCheck, useClass: GatewayTokenCheck },
      options.sessionStore
        ? { provide: SessionStore, useClass: options.sessionStore }
        : {
            provide: SessionStore,
            inject: [sessionsConfig.KEY],
            useFactory: (config: SessionsConfig): SessionStore =>
              config.redisUrl
                ? new RedisSessionStore(config.redisUrl, config.redisKeyPrefix, { readyTimeoutMs: config.redisReadyTimeoutMs })
                : new MemorySessionStore(),
          },
      { provide: IntegrationAppGateway, useClass: options.gateway ?? SdkIntegrationAppGateway },
      options.notificationBus
        ? { provide: NotificationBus, useClass: options.notificationBus }
        : {
            provide: NotificationBus,
            inject: [sessionsConfig.KEY],
            useFactory: (config: SessionsConfig): NotificationBus =>
              config.redisUrl ? new RedisNotificationBus(config.redisUrl, config.redisKeyPrefix, config.idleTtlSeconds) : new LocalNotificationBus(),
          },
    ];
    return {
      module: SeamsModule,
      global: true,
      imports: [MetricsModule, TelemetryModule],
      providers,
      exports: [SessionStore, IntegrationAppGateway, NotificationBus, UpstreamObserver, ToolCallObserver, UpstreamTokenCheck, TelemetryModule],
    };
  }
}
