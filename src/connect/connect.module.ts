import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { connectConfig, sessionsConfig, SessionsConfig } from '../config/app.config';
import { IntegrationsModule } from '../integrations/integrations.module';
import { ToolsModule } from '../tools/tools.module';
import { NotConnectedActionsService } from './not-connected-actions.service';
import { ConnectController } from './connect.controller';
import { ConnectLinkStore } from './connect-link.store';
import { ConnectService } from './connect.service';
import { ConnectTools } from './connect-tools';
import { MemoryConnectLinkStore } from './memory-connect-link.store';
import { RedisConnectLinkStore } from './redis-connect-link.store';

/**
 * Connecting the customer's next app from the conversation (SPEC §16): `list-apps` and
 * `connect-app` (mode tools, found by the registry), `GET /connect/<id>`, the link store on the
 * session store's backend (Redis with `REDIS_URL`), and the watcher that refreshes an identity's
 * catalog when its new connection appears; the actions of apps not connected yet for
 * `search-actions` (`NotConnectedActionsService`, found by the discovery tools).
 */
@Module({
  imports: [ConfigModule.forFeature(connectConfig), IntegrationsModule, ToolsModule],
  controllers: [ConnectController],
  providers: [
    {
      provide: ConnectLinkStore,
      inject: [sessionsConfig.KEY],
      useFactory: (config: SessionsConfig): ConnectLinkStore =>
        config.redisUrl
          ? new RedisConnectLinkStore(config.redisUrl, config.redisKeyPrefix, { readyTimeoutMs: config.redisReadyTimeoutMs })
          : new MemoryConnectLinkStore(),
    },
    ConnectService,
    ConnectTools,
    NotConnectedActionsService,
  ],
  exports: [ConnectService],
})
export class ConnectModule {}
