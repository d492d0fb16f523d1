import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AuthContext } from '../../auth/identity';
import { protocolEra } from '../protocol-era';
import { StatelessHttpService } from '../stateless/stateless-http.service';
import { StreamableHttpService } from './streamable-http.service';

/**
 * The Streamable HTTP endpoint, both protocol eras: `protocolEra` (mcp/protocol-era.ts, the one
 * place the era is decided) sends a 2026-07-28 request to the stateless era, `initialize` and
 * requests with `Mcp-Session-Id` to the session era. Served at `/mcp` (and its mode paths) and, for
 * clients given the legacy `/sse` URL that speak only Streamable HTTP, at `POST`/`DELETE /sse` and
 * session or 2026 `GET /sse`.
 */
@Injectable()
export class McpEndpoint {
  constructor(
    private readonly sessions: StreamableHttpService,
    private readonly stateless: StatelessHttpService,
  ) {}

  async post(req: Request, res: Response, auth: AuthContext): Promise<void> {
    if (protocolEra(req) === 'stateless') await this.stateless.serve(req, res, auth);
    else await this.sessions.post(req, res, auth);
  }

  async get(req: Request, res: Response, auth: AuthContext): Promise<void> {
    if (protocolEra(req) === 'stateless') await this.stateless.serve(req, res, auth);
    else await this.sessions.get(req, res, auth);
  }

  async delete(req: Request, res: Response, auth: AuthContext): Promise<void> {
    if (protocolEra(req) === 'stateless') await this.stateless.serve(req, res, auth);
    else await this.sessions.delete(req, res, auth);
  }
}
