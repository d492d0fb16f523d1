import { Controller, Delete, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Auth } from '../../auth/auth.decorators';
import { AuthGuard } from '../../auth/auth.guard';
import type { AuthContext } from '../../auth/identity';
import { MODE_PATHS } from '../../common/mode-paths';
import { McpEndpoint } from './mcp-endpoint';

/** `/mcp`, `/mcp/search`, `/mcp/dynamic` (SPEC §12: modes as paths). */
const PATHS = ['', ...MODE_PATHS];

/**
 * Streamable HTTP (`/mcp`), both protocol eras on one URL: a 2026-07-28 request (its `_meta`
 * protocol version) is answered statelessly; `initialize` and requests with `Mcp-Session-Id` by the
 * session era. `/mcp/search` and `/mcp/dynamic` are the same endpoint with the mode in the path.
 */
@Controller('mcp')
@UseGuards(AuthGuard)
export class StreamableHttpController {
  constructor(private readonly endpoint: McpEndpoint) {}

  @Post(PATHS)
  post(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    return this.endpoint.post(req, res, auth);
  }

  @Get(PATHS)
  get(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    return this.endpoint.get(req, res, auth);
  }

  @Delete(PATHS)
  delete(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    return this.endpoint.delete(req, res, auth);
  }
}
