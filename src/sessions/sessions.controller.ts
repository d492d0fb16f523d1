import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { Auth, RequireVerifiedIdentity } from '../auth/auth.decorators';
import { AuthGuard } from '../auth/auth.guard';
import type { AuthContext } from '../auth/identity';
import { SessionsService } from './sessions.service';

@Controller('mcp/sessions')
@UseGuards(AuthGuard)
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  /** The caller's chat sessions: `{ "<chat-id>": "<session-id>" }`, `{}` when none. */
  @Get()
  @RequireVerifiedIdentity()
  @Header('Cache-Control', 'no-store')
  list(@Auth() auth: AuthContext): Promise<Record<string, string>> {
    return this.sessions.chats(auth);
  }
}
