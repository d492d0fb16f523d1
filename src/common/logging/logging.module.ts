import { Module } from '@nestjs/common';
import { LoggerModule, Params } from 'nestjs-pino';
import type { Logger } from 'pino';
import { appConfig, AppConfig } from '../../config/app.config';
import { createRootLogger } from './request-logging';

/** The process's root pino logger (also what `app.setup.ts` hands to the request-logging middleware). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

@Module({
  providers: [{ provide: ROOT_LOGGER, inject: [appConfig.KEY], useFactory: (config: AppConfig) => createRootLogger(config) }],
  exports: [ROOT_LOGGER],
})
class RootLoggerModule {}

/**
 * Structured JSON logs (pino): Nest's `Logger` writes JSON lines through nestjs-pino, and our own
 * middleware (`requestLogging`, installed first by `configureApp`) gives each request its id, its
 * access line and a request-bound `req.log` for code that has the request at hand.
 *
 * nestjs-pino's per-request binding is switched off (`forRoutes: []`): it runs every request in an
 * AsyncLocalStorage context, and on Node 20 that turns on promise hooks for every promise the
 * process creates — about 13 % of a `tools/call`'s CPU in the benchmark. Lines written while a
 * request runs name what they are about instead (tool, session id; the error filter the request id).
 */
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      inject: [ROOT_LOGGER],
      useFactory: (root: Logger): Params => ({ pinoHttp: { logger: root }, useExisting: true, forRoutes: [] }),
    }),
  ],
  exports: [RootLoggerModule],
})
export class LoggingModule {}
