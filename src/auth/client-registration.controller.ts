import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { appConfig, AppConfig } from '../config/app.config';

/** RFC 7591 error response. */
export interface RegistrationRefusal {
  error: 'invalid_client_metadata';
  error_description: string;
}

/**
 * `POST /register`: where OAuth-capable clients (mcp-remote, Claude, the MCP SDK's auth flow) try
 * dynamic client registration when a 401 names no authorization server. This server does not
 * register clients — it takes Integration.app access tokens — so it answers with an RFC 7591 error
 * whose description (what mcp-remote prints) says what to do instead.
 */
@Controller()
export class ClientRegistrationController {
  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {}

  @Post('register')
  @HttpCode(400)
  register(): RegistrationRefusal {
    const query = this.config.allowQueryToken ? ', or add ?token=<access token> to the URL' : '';
    return {
      error: 'invalid_client_metadata',
      error_description:
        'This MCP server does not register OAuth clients: it takes Integration.app access tokens. ' +
        'Mint a customer access token for your workspace (a JWT signed with the workspace secret) and send it as ' +
        `"Authorization: Bearer <access token>" (mcp-remote: --header "Authorization:\${AUTH}" with AUTH="Bearer <access token>")${query}.`,
    };
  }
}
