import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { LoggerService, Type } from '@nestjs/common';
import { Writable } from 'node:stream';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { ROOT_LOGGER } from '../../src/common/logging/logging.module';
import { createRootLogger } from '../../src/common/logging/request-logging';

/** Captures every log line of an app, so tests can assert on (and grep) them. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private push(level: string, message: unknown, rest: unknown[]) {
    this.lines.push(
      `${level} ${typeof message === 'string' ? message : JSON.stringify(message)} ${rest.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join(' ')}`,
    );
  }
  log(message: unknown, ...rest: unknown[]) {
    this.push('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.push('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.push('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.push('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.push('verbose', message, rest);
  }
  /** Where the app's pino lines (access lines, req.log) go: one `pino {json}` entry each. */
  readonly pinoSink = new Writable({
    write: (chunk, _enc, cb) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) this.lines.push(`pino ${line}`);
      cb();
    },
  });
}

export interface RunningApp {
  app: NestExpressApplication;
  url: string;
  port: number;
  logs: CapturingLogger;
  close(): Promise<void>;
}

/**
 * Boots the production AppModule (or another root module, e.g. a team's) + HTTP setup on a free
 * port with the given environment (on `host`, 127.0.0.1 by default).
 */
export async function startApp(env: Record<string, string | undefined>, options: { host?: string; rootModule?: Type<unknown> } = {}): Promise<RunningApp> {
  // No start-up secret check unless a test asks for it: it adds a GET /self that request-counting tests would see.
  env = { LOG_LEVEL: 'warn', CHECK_WORKSPACE_SECRET: 'false', ...env };
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const logs = new CapturingLogger();
  try {
    const moduleRef = await Test.createTestingModule({ imports: [options.rootModule ?? AppModule] })
      .overrideProvider(ROOT_LOGGER)
      .useValue(createRootLogger({ logLevel: process.env.LOG_LEVEL ?? 'warn' }, logs.pinoSink))
      .compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: logs });
    configureApp(app);
    await app.listen(0, options.host ?? '127.0.0.1');
    const port = (app.getHttpServer().address() as AddressInfo).port;
    return { app, url: `http://127.0.0.1:${port}`, port, logs, close: () => app.close() };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
