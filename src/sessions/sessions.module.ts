import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { sessionsConfig, SessionsConfig } from '../config/app.config';
import { MemorySessionStore } from './memory-session.store';
import { RedisSessionStore } from './redis-session.store';
import { SessionStore } from './session.store';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

/** Session state and chat-id mappings behind the `SessionStore` port; GET /mcp/sessions. */
@Module({
  imports: [AuthModule],
  controllers: [SessionsController],
  providers: [
    {
      provide: SessionStore,
      inject: [sessionsConfig.KEY],
      useFactory: (config: SessionsConfig): SessionStore =>
        config.redisUrl ? new RedisSessionStore(config.redisUrl, config.redisKeyPrefix) : new MemorySessionStore(),
    },
    SessionsService,
  ],
  exports: [SessionsService, SessionStore],
})
export class SessionsModule {}
