import { Controller, Delete, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Auth } from '../../auth/auth.decorators';
import { AuthGuard } from '../../auth/auth.guard';
import type { AuthContext } from '../../auth/identity';
import { MODE_PATHS } from '../../common/mode-paths';
import { StatelessHttpService } from '../stateless/stateless-http.service';
import { StreamableHttpService } from './streamable-http.service';

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
  constructor(
    private readonly sessions: StreamableHttpService,
    private readonly stateless: StatelessHttpService,
  ) {}

  @Post(PATHS)
  async post(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    const exchange = await this.stateless.classify(req);
    return exchange ? this.stateless.serve(exchange, req, res, auth) : this.sessions.post(req, res, auth);
  }

  @Get(PATHS)
  async get(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    const exchange = await this.stateless.classify(req);
    return exchange ? this.stateless.serve(exchange, req, res, auth) : this.sessions.get(req, res, auth);
  }

  @Delete(PATHS)
  async delete(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    const exchange = await this.stateless.classify(req);
    return exchange ? this.stateless.serve(exchange, req, res, auth) : this.sessions.delete(req, res, auth);
  }
}
