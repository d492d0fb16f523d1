import { Module } from '@nestjs/common';
import { IntegrationsModule } from '../integrations/integrations.module';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { RateLimiter } from './rate-limiter';
import { TokenService } from './token.service';

/** Token extraction, JWT checks, identity, and upstream verification when no workspace secret is set. */
@Module({
  imports: [IntegrationsModule],
  providers: [TokenService, AuthService, AuthGuard, RateLimiter],
  exports: [TokenService, AuthService, AuthGuard, RateLimiter],
})
export class AuthModule {}
