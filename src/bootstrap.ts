import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { appConfig, AppConfig } from './config/app.config';
import { configureApp } from './app.setup';

/** Creates, configures and starts the server with the configuration in the environment. */
export async function bootstrap(): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, bufferLogs: true });
  configureApp(app);
  const config = app.get<AppConfig>(appConfig.KEY);
  await app.listen(config.port, config.host);
  new Logger('Bootstrap').log(`Integration.app MCP server listening on http://${config.host}:${config.port} (POST /mcp, GET /sse)`);
  return app;
}
