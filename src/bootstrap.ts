import 'reflect-metadata';
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { Server } from 'node:http';
import { AppModule } from './app.module';
import { appConfig, AppConfig, integrationAppConfig, IntegrationAppConfig } from './config/app.config';
import { assertValidEnvironment } from './config/env.validation';
import { configureApp } from './app.setup';
import { flushStdoutLogs } from './common/logging/log-destination';
import { ShutdownService } from './health/shutdown.service';

/** Extra time after the drain for module teardown (store, bus) before the process gives up. */
const TEARDOWN_MS = 10_000;

/**
 * Creates, configures and starts the server (`rootModule`, by default the standard assembly
 * `AppModule`; a team passes its own module that imports `McpServerModule.forRoot({...})`) with the
 * configuration in the environment; Nest's
 * `Logger` writes through pino. SIGTERM and SIGINT drain it (see ShutdownService), close every
 * module (streams, session store, bus), then exit 0. A second signal uses Node's default (exit now).
 */
export async function bootstrap(rootModule: Type<unknown> = AppModule): Promise<NestExpressApplication> {
  assertValidEnvironment();
  const app = await NestFactory.create<NestExpressApplication>(rootModule, { bodyParser: false, bufferLogs: true, abortOnError: false });
  const logger = app.get(Logger);
  app.useLogger(logger);
  configureApp(app);
  const config = app.get<AppConfig>(appConfig.KEY);
  await app.listen(config.port, config.host);
  const integrationApp = app.get<IntegrationAppConfig>(integrationAppConfig.KEY);
  if (!integrationApp.workspaceSecret) {
    logger.warn(
      'INTEGRATION_APP_WORKSPACE_SECRET is not set: every new token is checked with Integration.app (GET /self) and ' +
        'forged tokens cost upstream requests. Set it in production (see docs/security.md).',
      'Bootstrap',
    );
  }
  if (!integrationApp.workspaceKey) {
    logger.warn('INTEGRATION_APP_WORKSPACE_KEY is not set: tokens of any workspace are accepted (and checked upstream).', 'Bootstrap');
  }
  logger.log(`Integration.app MCP server listening on http://${config.host}:${config.port} (POST /mcp, GET /sse)`, 'Bootstrap');
  // Log lines are gathered for LOG_FLUSH_MS: the start-up lines go out now, before what the caller prints next.
  flushStdoutLogs();

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received`, 'Bootstrap');
    // A teardown that hangs (an unreachable Redis, say) must not keep the pod alive forever.
    setTimeout(() => {
      logger.error('Shutdown did not finish in time; exiting', 'Bootstrap');
      process.exit(1);
    }, config.shutdownGraceMs + TEARDOWN_MS).unref();
    try {
      await app.get(ShutdownService).drain(app.getHttpServer() as Server);
      await app.close();
      logger.log('Shut down cleanly', 'Bootstrap');
      process.exit(0);
    } catch (err) {
      logger.error(`Shutdown failed: ${(err as Error).message}`, 'Bootstrap');
      process.exit(1);
    }
  };
  process.once('SIGTERM', (s) => void stop(s));
  process.once('SIGINT', (s) => void stop(s));
  return app;
}
