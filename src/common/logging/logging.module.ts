import { Module } from '@nestjs/common';
import { LoggerModule, Params } from 'nestjs-pino';
import type { Logger } from 'pino';
import { appConfig, AppConfig } from '../../config/app.config';
import { createRootLogger } from './request-logging';

export { requestIdFor } from './request-logging';

/** The process's root pino logger (also what `app.setup.ts` hands to the request-logging middleware). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

@Module({
  providers: [{ provide: ROOT_LOGGER, inject: [appConfig.KEY], useFactory: (config: AppConfig) => createRootLogger(config) }],
  exports: [ROOT_LOGGER],
})
class RootLoggerModule {}

/**
 * Structured JSON logs (pino): Nest's `Logger` writes through nestjs-pino, bound to the current
 * request's logger (request id, method, path) by its async context. The per-request work — request
 * id, access line, correlation fields — is our own middleware (`requestLogging`, installed first by
 * `configureApp`), which costs far less per request than pino-http (about 15 % of a `tools/call`'s
 * CPU in the benchmark); nestjs-pino only binds `req.log` (`useExisting`).
 */
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      inject: [ROOT_LOGGER],
      useFactory: (root: Logger): Params => ({ pinoHttp: { logger: root }, useExisting: true }),
    }),
  ],
  exports: [RootLoggerModule],
})
export class LoggingModule {}
