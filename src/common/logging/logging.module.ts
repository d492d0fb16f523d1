import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule, Params } from 'nestjs-pino';
import { appConfig, AppConfig } from '../../config/app.config';
import { redactSecrets } from '../redact';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/** What the auth guard and Express add to the request (read only, never logged whole). */
interface LoggedRequest extends IncomingMessage {
  auth?: { identity?: { key?: string } };
  query?: Record<string, unknown>;
}

/** The incoming `x-request-id` when it is a sane id, else a new UUID; echoed back as a response header. */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/** Props already bound to this request's logger (pino-http asks again when the response ends). */
const BOUND = Symbol('loggedProps');

type LogProps = { sessionId?: string; identity?: string };

/**
 * Correlation fields for request log lines: the MCP session id and a 12-char prefix of the hashed
 * identity. pino-http calls this when the request starts and again when it ends (after the auth
 * guard ran, and with the session id of a fresh `initialize` in the response header); only what is
 * new is returned the second time, so no field appears twice on a line.
 */
export function requestContext(req: IncomingMessage, res: ServerResponse): LogProps {
  const r = req as LoggedRequest & { [BOUND]?: LogProps };
  const header = req.headers['mcp-session-id'] ?? res.getHeader('mcp-session-id');
  const query = r.query?.sessionId;
  const raw = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
  const current: LogProps = { sessionId: raw?.slice(0, 128), identity: r.auth?.identity?.key?.slice(0, 12) };
  const bound = r[BOUND] ?? {};
  const fresh: LogProps = {};
  for (const key of ['sessionId', 'identity'] as const) {
    if (current[key] && current[key] !== bound[key]) fresh[key] = current[key];
  }
  r[BOUND] = { ...bound, ...fresh };
  return fresh;
}

/** pino options: JSON lines, no headers, cookies, query strings or bodies, secrets redacted from errors. */
export function loggingParams(config: Pick<AppConfig, 'logLevel'>): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: requestIdFor,
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.test(req.url ?? '') },
      customProps: requestContext,
      serializers: {
        // Path only: the query string may hold `token=`.
        req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        // Never the error's own fields (an axios error carries the Authorization header in `config`).
        err: (err: { name?: string; message?: string; stack?: string }) => ({
          type: err?.name,
          message: redactSecrets(String(err?.message ?? err)),
          ...(err?.stack ? { stack: redactSecrets(err.stack) } : {}),
        }),
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.query', 'token', '*.token', 'authorization', '*.authorization'],
        censor: '[redacted]',
      },
    },
  };
}

/**
 * Structured JSON logs (pino via nestjs-pino): one line per request (`info`; probes and scrapes
 * skipped) with a request id (incoming `x-request-id` or a new UUID, echoed back), the MCP session
 * id and a hashed identity. `bootstrap.ts` routes Nest's `Logger` through it.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig): Params => loggingParams(config),
    }),
  ],
})
export class LoggingModule {}
