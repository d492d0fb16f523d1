import { Controller, Delete, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Auth } from '../../auth/auth.decorators';
import { AuthGuard } from '../../auth/auth.guard';
import type { AuthContext } from '../../auth/identity';
import { opensLegacySseStream } from '../protocol-era';
import { McpEndpoint } from './mcp-endpoint';
import { SseService } from './sse.service';

/**
 * Legacy HTTP+SSE transport (deprecated in the MCP spec; still used by Cursor/Claude Desktop configs).
 * Clients that speak only Streamable HTTP (Mastra 2, SDK v2) given the `/sse` URL complete too:
 * `POST`/`DELETE /sse`, and a `GET /sse` carrying `Mcp-Session-Id` or a 2026 `MCP-Protocol-Version`,
 * are the Streamable HTTP endpoint, as on `/mcp`; a plain `GET /sse` opens the legacy stream.
 */
@Controller('sse')
export class SseController {
  constructor(
    private readonly sse: SseService,
    private readonly endpoint: McpEndpoint,
  ) {}

  @Get()
  @UseGuards(AuthGuard)
  open(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    return opensLegacySseStream(req) ? this.sse.open(req, res, auth) : this.endpoint.get(req, res, auth);
  }

  @Post()
  @UseGuards(AuthGuard)
  post(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    return this.endpoint.post(req, res, auth);
  }

  @Delete()
  @UseGuards(AuthGuard)
  delete(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    return this.endpoint.delete(req, res, auth);
  }

  /**
   * Messages of a legacy SSE session. Clients configured with `/sse?token=…` post here without the
   * token (the announced endpoint never carries it), so the session id — unguessable, bound to the
   * verified identity that opened the stream — authorizes the post; a token, when sent, must match.
   */
  @Post('messages')
  message(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.sse.message(req, res);
  }
}
