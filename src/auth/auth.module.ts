import { Module } from '@nestjs/common';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LimitsModule } from '../limits/limits.module';
import { ClientRegistrationController } from './client-registration.controller';
import { ProtectedResourceController } from './protected-resource.controller';
import { TokenService } from './token.service';
import { WorkspaceSecretCheck } from './workspace-secret.check';

/**
 * Token extraction, JWT checks, identity, and upstream verification when no workspace secret is set
 * (through the `UpstreamTokenCheck` port, bound in `SeamsModule`).
 */
@Module({
  imports: [LimitsModule],
  controllers: [ProtectedResourceController, ClientRegistrationController],
  providers: [TokenService, AuthService, AuthGuard, WorkspaceSecretCheck],
  exports: [TokenService, AuthService, AuthGuard, LimitsModule],
})
export class AuthModule {}
