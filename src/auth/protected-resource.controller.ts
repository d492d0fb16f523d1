import { Controller, Get, Inject, NotFoundException, Req } from '@nestjs/common';
import type { Request } from 'express';
import { appConfig, AppConfig } from '../config/app.config';
import { MODE_PATHS, resourcePath } from '../common/mode-paths';

const PREFIX = '/.well-known/oauth-protected-resource';

/** The RFC 9728 metadata document of this server as an OAuth protected resource, when configured. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  bearer_methods_supported: string[];
  resource_name: string;
}

/**
 * `GET /.well-known/oauth-protected-resource[/mcp[/search|/dynamic]]`: tells OAuth-capable MCP
 * clients which authorization servers issue tokens for `PUBLIC_URL/mcp` (or the mode path the
 * metadata URL names, SPEC §12, §15). 404 unless
 * `OAUTH_AUTHORIZATION_SERVERS` and `PUBLIC_URL` are set.
 */
@Controller('.well-known')
export class ProtectedResourceController {
  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {}

  @Get(['oauth-protected-resource', 'oauth-protected-resource/mcp', ...MODE_PATHS.map((m) => `oauth-protected-resource/mcp/${m}`)])
  metadata(@Req() req: Request): ProtectedResourceMetadata {
    if (!this.config.resourceMetadataUrl) {
      throw new NotFoundException('This server is not configured as an OAuth protected resource (OAUTH_AUTHORIZATION_SERVERS, PUBLIC_URL).');
    }
    return {
      resource: `${this.config.publicUrl}${resourcePath(req.path.slice(PREFIX.length))}`,
      authorization_servers: this.config.oauthAuthorizationServers,
      bearer_methods_supported: ['header'],
      resource_name: 'Integration.app MCP Server',
    };
  }
}
