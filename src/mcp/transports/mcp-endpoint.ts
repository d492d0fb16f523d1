import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AuthContext } from '../../auth/identity';
import { StatelessHttpService } from '../stateless/stateless-http.service';
import { StreamableHttpService } from './streamable-http.service';

/**
 * The Streamable HTTP endpoint, both protocol eras: a 2026-07-28 request (its `_meta` protocol
 * version) is answered statelessly; `initialize` and requests with `Mcp-Session-Id` by the session
 * era. Served at `/mcp` (and its mode paths) and, for clients given the legacy `/sse` URL that speak
 * only Streamable HTTP, at `POST`/`DELETE /sse` and session or 2026 `GET /sse`.
 */
@Injectable()
export class McpEndpoint {
  constructor(
    private readonly sessions: StreamableHttpService,
    private readonly stateless: StatelessHttpService,
  ) {}

  async post(req: Request, res: Response, auth: AuthContext): Promise<void> {
    const exchange = await this.stateless.classify(req);
    return exchange ? this.stateless.serve(exchange, req, res, auth) : this.sessions.post(req, res, auth);
  }

  async get(req: Request, res: Response, auth: AuthContext): Promise<void> {
    const exchange = await this.stateless.classify(req);
    return exchange ? this.stateless.serve(exchange, req, res, auth) : this.sessions.get(req, res, auth);
  }

  async delete(req: Request, res: Response, auth: AuthContext): Promise<void> {
    const exchange = await this.stateless.classify(req);
    return exchange ? this.stateless.serve(exchange, req, res, auth) : this.sessions.delete(req, res, auth);
  }

  /**
   * Whether a `GET` is a Streamable HTTP one (a session's stream, or of the 2026-07-28 revision)
   * rather than a legacy HTTP+SSE stream opening: legacy clients send neither header.
   */
  isStreamableGet(req: Request): boolean {
    const version = req.headers['mcp-protocol-version'];
    return req.headers['mcp-session-id'] !== undefined || (typeof version === 'string' && version >= '2026-07-28');
  }
}
