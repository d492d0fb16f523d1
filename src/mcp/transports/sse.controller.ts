import { Controller, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Auth } from '../../auth/auth.decorators';
import { AuthGuard } from '../../auth/auth.guard';
import type { AuthContext } from '../../auth/identity';
import { SseService } from './sse.service';

/** Legacy HTTP+SSE transport (deprecated in the MCP spec; still used by Cursor/Claude Desktop configs). */
@Controller('sse')
export class SseController {
  constructor(private readonly sse: SseService) {}

  @Get()
  @UseGuards(AuthGuard)
  open(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    return this.sse.open(req, res, auth);
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
