import { DynamicModule, Module, ModuleMetadata, Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { LoggingModule } from './common/logging/logging.module';
import { appConfig, integrationAppConfig, runsConfig, sessionsConfig } from './config/app.config';
import { envFileOptions } from './config/env-file';
import { validateEnv } from './config/env.validation';
import { HealthModule } from './health/health.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { LimitsModule } from './limits/limits.module';
import { McpModule } from './mcp/mcp.module';
import { RunsModule } from './runs/runs.module';
import { SeamOptions, SeamsModule } from './seams.module';
import { SessionsModule } from './sessions/sessions.module';
import { MetricsModule } from './telemetry/metrics.module';
import { ToolsModule } from './tools/tools.module';

/** How to assemble the server: swap an adapter, add tool sources or whole modules. */
export interface McpServerModuleOptions extends SeamOptions {
  /**
   * More tools: classes extending `ToolSource`, or providers with `@McpTool()` methods. They are
   * provided in the root module (so they can inject anything the server exports); a module of your
   * own can provide them instead (see `imports`).
   */
  toolSources?: Type<unknown>[];
  /** Modules of your own (tools, controllers, …), imported next to the server's. */
  imports?: ModuleMetadata['imports'];
}

/**
 * The whole server as one module: configuration (validated environment), logging, auth, limits,
 * Integration.app, sessions, the tool registry, the MCP transports, health and metrics, and the
 * global exception filter. `McpServerModule.forRoot()` is the default assembly (`AppModule`);
 * options swap an adapter or add tools and modules without touching `src/`:
 *
 * ```ts
 * @Module({ imports: [McpServerModule.forRoot({ imports: [DirectoryToolsModule], sessionStore: MySessionStore })] })
 * export class RootModule {}
 * ```
 */
@Module({})
export class McpServerModule {
  static forRoot(options: McpServerModuleOptions = {}): DynamicModule {
    return {
      module: McpServerModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ...envFileOptions(),
          load: [appConfig, integrationAppConfig, sessionsConfig, runsConfig],
          validate: (env) => {
            validateEnv(env);
            return env;
          },
        }),
        SeamsModule.register(options),
        LoggingModule,
        MetricsModule,
        LimitsModule,
        AuthModule,
        IntegrationsModule,
        SessionsModule,
        ToolsModule,
        RunsModule,
        McpModule,
        HealthModule,
        ...(options.imports ?? []),
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }, ...(options.toolSources ?? [])],
    };
  }
}
