import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, Response } from 'express';
import { appConfig, AppConfig } from './config/app.config';
import { sendError } from './common/all-exceptions.filter';
import { BadRequestError } from './common/domain.errors';
import type { Logger as PinoLogger } from 'pino';
import { ROOT_LOGGER } from './common/logging/logging.module';
import { loggedPath, loggedRequestId, requestLogging } from './common/logging/request-logging';
import { OriginPolicy } from './common/origin.policy';
import { MetricsService } from './telemetry/metrics.service';
import { ShutdownService } from './health/shutdown.service';

/** A Host header: a registered name, IPv4 or [IPv6] literal, and an optional port (RFC 3986 authority without userinfo). */
const VALID_HOST = /^(\[[0-9A-Fa-f:.]{2,60}\]|[A-Za-z0-9._~%!$&'()*+,;=-]{1,255})(:\d{1,5})?$/;

/** The MCP routes and everything under them, in any case (Express routes `/MCP` and `/mcp/` to `/mcp`). */
const MCP_PATHS = /^\/(mcp|sse)(\/|$)/i;
/** Request headers browsers may send to the MCP routes (both protocol eras; SEP-2243's Mcp-Method / Mcp-Name included). */
const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'Mcp-Session-Id',
  'Mcp-Protocol-Version',
  'Mcp-Method',
  'Mcp-Name',
  'Last-Event-ID',
  'X-Chat-Id',
  'X-MCP-Readonly',
  'X-MCP-Tools',
  'X-MCP-Exclude-Tools',
];

/**
 * Answers a request rejected before Nest's pipeline: the same JSON error as inside it, plus a `warn`
 * line (the access line is written by the request-logging middleware, at `info`).
 */
function rejectEarly(err: unknown, req: Request, res: Response, logger: Logger): void {
  sendError(err, req, res, logger);
  logger.warn(`Rejected ${req.method} ${loggedPath(req)} with ${res.statusCode} before routing (request ${loggedRequestId(req)})`);
}

/**
 * Everything about the HTTP layer that is not a route: body parsing with a size limit and JSON
 * errors, Origin checks, CORS, proxy trust and the global exception filter. Shared by `main.ts`
 * and the e2e tests so they run exactly the production pipeline.
 */
export function configureApp(app: NestExpressApplication): void {
  const config = app.get<AppConfig>(appConfig.KEY);
  const logger = new Logger('Http');
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // JSON-RPC answers are never revalidated; hashing every body for an ETag is wasted CPU.
  app.set('etag', false);

  app.use(requestLogging(app.get<PinoLogger>(ROOT_LOGGER)));

  app.use(app.get(MetricsService).middleware);
  app.use(app.get(ShutdownService).middleware);

  // A Host header that is no host (`Host: a b`) is refused before anything builds a URL from it.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const host = req.headers.host;
    if (host === undefined || VALID_HOST.test(host)) return next();
    rejectEarly(new BadRequestError('Bad Request: the Host header is not a valid host[:port].'), req, res, logger);
  });

  // Loopback-only or not is decided from the address actually bound, read on the first request.
  const origins = new OriginPolicy(config.allowedOrigins, config.host, () => app.getHttpServer().address());
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!MCP_PATHS.test(req.path)) return next();
    try {
      origins.check(req.headers.origin);
    } catch (err) {
      return rejectEarly(err, req, res, logger);
    }
    if (req.headers.origin) {
      res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate, Retry-After');
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
      // Mcp-Param-* headers (SEP-2243) are named by each tool's schema: the ones a browser asks for are allowed.
      const asked = String(req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter((h) => /^mcp-param-[a-z0-9_-]{1,64}$/i.test(h));
      res.setHeader('Access-Control-Allow-Headers', [...CORS_ALLOWED_HEADERS, ...asked.slice(0, 32)].join(', '));
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  });

  app.use(express.json({ limit: config.bodyLimit, strict: false, type: ['application/json', 'application/*+json'] }));
  // Errors from the body parser (bad JSON, too large) arrive here, before Nest's routing.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!err) return next();
    rejectEarly(err, req, res, logger);
  });
}
