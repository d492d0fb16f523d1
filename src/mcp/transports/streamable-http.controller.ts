import { Controller, Delete, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Auth } from '../../auth/auth.decorators';
import { AuthGuard } from '../../auth/auth.guard';
import type { AuthContext } from '../../auth/identity';
import { StreamableHttpService } from './streamable-http.service';

/** Streamable HTTP transport (`/mcp`). */
@Controller('mcp')
@UseGuards(AuthGuard)
export class StreamableHttpController {
  constructor(private readonly transport: StreamableHttpService) {}

  @Post()
  post(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    return this.transport.post(req, res, auth);
  }

  @Get()
  get(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    return this.transport.get(req, res, auth);
  }

  @Delete()
  delete(@Req() req: Request, @Res() res: Response, @Auth() auth: AuthContext): Promise<void> {
    return this.transport.delete(req, res, auth);
  }
}
