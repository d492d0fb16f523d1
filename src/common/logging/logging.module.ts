import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { appConfig, AppConfig } from '../../config/app.config';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

interface LoggedRequest extends IncomingMessage {
  auth?: { identity?: { key?: string } };
  query?: Record<string, unknown>;
}

/**
 * Structured JSON logs (pino): one line per request with a request id (incoming `x-request-id` or a
 * new UUID, echoed back), the MCP session id and a hashed identity. Never the Authorization header,
 * cookies, query strings (they may hold `token=`) or bodies.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          genReqId: (req: IncomingMessage, res: ServerResponse) => {
            const incoming = req.headers['x-request-id'];
            const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
            res.setHeader('x-request-id', id);
            return id;
          },
          autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)(\/|$|\?)/.test(req.url ?? '') },
          customProps: (req: IncomingMessage, res: ServerResponse) => {
            const r = req as LoggedRequest;
            const header = req.headers['mcp-session-id'] ?? res.getHeader('mcp-session-id');
            const sessionId = typeof header === 'string' ? header.slice(0, 128) : typeof r.query?.sessionId === 'string' ? r.query.sessionId.slice(0, 128) : undefined;
            const identity = r.auth?.identity?.key?.slice(0, 12);
            return { ...(sessionId ? { sessionId } : {}), ...(identity ? { identity } : {}) };
          },
          serializers: {
            req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] }),
            res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
          },
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.token', 'token'], censor: '[redacted]' },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
