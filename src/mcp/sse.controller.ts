import { Controller, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Auth } from '../auth/auth.decorators';
import { AuthGuard } from '../auth/auth.guard';
import type { AuthContext } from '../auth/identity';
import { SseService } from './sse.service';

/** Legacy HTTP+SSE transport (deprecated in the MCP spec; still used by Cursor/Claude Desktop configs). */
@Controller('sse')
@UseGuards(AuthGuard)
export class SseController {
  constructor(private readonly sse: SseService) {}

  @Get()
  open(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    return this.sse.open(req, res, auth);
  }

  @Post('messages')
  message(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    return this.sse.message(req, res, auth);
  }
}
