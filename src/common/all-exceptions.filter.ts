import { ArgumentsHost, Catch, ExceptionFilter, Inject, Logger, NotFoundException, Optional } from '@nestjs/common';
import { appConfig, AppConfig } from '../config/app.config';
import type { Request, Response } from 'express';
import { loggedPath, loggedRequestId } from './logging/request-logging';
import { redactSecrets } from './redact';
import { toErrorResponse } from './error-response';
import { pathMode } from './mode-paths';
import { UnauthorizedError } from './domain.errors';
import { recordAuthFailure } from './auth-failure';

/** Requests whose JSON-RPC id we can echo in an error. */
function requestIdOf(body: unknown): unknown {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as { id?: unknown }).id : undefined;
}

/**
 * A request no route matched (Nest's not-found handler, the only place a NotFoundException is thrown
 * without a matched `req.route`) is answered naming its method and path: Nest's own message quotes
 * `req.originalUrl`, query string and any `?token=` in it included.
 */
function withoutQueryString(exception: unknown, req: Request, path: string): unknown {
  if (!(exception instanceof NotFoundException) || req.route) return exception;
  return new NotFoundException(`Cannot ${req.method} ${path}`, { cause: exception });
}

/**
 * The one place errors become HTTP responses: domain errors keep their status, unexpected ones
 * become a logged, generic 500. Never writes after headers were sent; never HTML.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  constructor(@Optional() @Inject(appConfig.KEY) private readonly config?: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    sendError(exception, req, res, this.logger, this.config?.resourceMetadataUrl);
  }
}

/** `text` without the request's own query string (an error that quotes the URL must not put it in a log line). */
export function withoutRequestQuery(text: string, req: { originalUrl?: string; url?: string }): string {
  const url = req.originalUrl ?? req.url ?? '';
  const q = url.indexOf('?');
  if (q === -1 || q === url.length - 1) return text;
  return text.split(url.slice(q + 1)).join('[query]');
}

/**
 * `resourceMetadataUrl`: with OAuth discovery configured, every 401 points OAuth-capable clients
 * at the RFC 9728 metadata (`WWW-Authenticate: Bearer resource_metadata="…"`), the mode path's own
 * for `/mcp/search` and `/mcp/dynamic`.
 */
export function sendError(exception: unknown, req: Request, res: Response, logger: Logger, resourceMetadataUrl?: string): void {
  const path = req.path ?? req.url?.split('?')[0] ?? '';
  exception = withoutQueryString(exception, req, path);
  const response = toErrorResponse(exception, path, requestIdOf(req.body));
  if (response.unexpected) {
    const err = exception as Error;
    logger.error(
      `Unhandled error on ${req.method} ${loggedPath(req)} (request ${loggedRequestId(req)}): ${withoutRequestQuery(redactSecrets(String(err?.stack ?? err)), req)}`,
    );
  }
  // The 401's reason (closed set) for the access line and the auth-failure counter; never the token.
  if (exception instanceof UnauthorizedError) recordAuthFailure(res, exception.reason);
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  for (const [name, value] of Object.entries(response.headers)) {
    const mode = pathMode(path);
    const metadataUrl = resourceMetadataUrl && mode ? `${resourceMetadataUrl}/${mode}` : resourceMetadataUrl;
    const announced = name === 'WWW-Authenticate' && metadataUrl ? `${value}, resource_metadata="${metadataUrl}"` : value;
    res.setHeader(name, announced);
  }
  res.status(response.status).json(response.body);
}
