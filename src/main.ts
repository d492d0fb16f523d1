import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { appConfig, AppConfig } from './config/app.config';
import { configureApp } from './app.setup';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, bufferLogs: true });
  configureApp(app);
  const config = app.get<AppConfig>(appConfig.KEY);
  await app.listen(config.port, config.host);
  new Logger('Bootstrap').log(`Integration.app MCP server listening on http://${config.host}:${config.port} (POST /mcp, GET /sse)`);
}

bootstrap().catch((err: Error) => {
  // Config validation errors land here: print the message (no stack noise) and stop.
  process.stderr.write(`Failed to start: ${err.message}\n`);
  process.exit(1);
});
