import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { appConfig, integrationAppConfig, sessionsConfig } from './config/app.config';
import { validateEnv } from './config/env.validation';
import { AuthModule } from './auth/auth.module';
import { LoggingModule } from './common/logging/logging.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './telemetry/metrics.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { McpModule } from './mcp/mcp.module';
import { SessionsModule } from './sessions/sessions.module';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      load: [appConfig, integrationAppConfig, sessionsConfig],
      validate: (env) => {
        validateEnv(env);
        return env;
      },
    }),
    AuthModule,
    IntegrationsModule,
    SessionsModule,
    McpModule,
    MetricsModule,
    HealthModule,
    LoggingModule,
  ],
})
export class AppModule {}
