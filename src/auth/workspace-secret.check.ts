import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SignJWT } from 'jose';
import { integrationAppConfig, IntegrationAppConfig } from '../config/app.config';
import { UpstreamTokenCheck } from './upstream-token.check';

/** The customer the check's token names: one well-known id, so the check adds at most one customer. */
export const SECRET_CHECK_CUSTOMER_ID = 'mcp-server-secret-check';

export type SecretCheckOutcome = 'accepted' | 'rejected' | 'unknown' | 'skipped';

/**
 * A wrong `INTEGRATION_APP_WORKSPACE_SECRET` makes every customer token fail here with "signature is
 * invalid", and nothing says why. At start-up (in the background: start-up never waits on
 * Integration.app) this mints one short-lived token with the configured secret and key and calls
 * `GET /self` with it once: a 401/403 means Integration.app does not accept that secret for that
 * workspace, and the operator is told so plainly. `CHECK_WORKSPACE_SECRET=false` turns it off.
 */
@Injectable()
export class WorkspaceSecretCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('WorkspaceSecretCheck');
  /** The check's outcome once it ran (for tests and the operator's debugging). */
  result: Promise<SecretCheckOutcome> = Promise.resolve('skipped');

  constructor(
    private readonly upstream: UpstreamTokenCheck,
    @Inject(integrationAppConfig.KEY) private readonly config: IntegrationAppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { workspaceKey, workspaceSecret, checkWorkspaceSecret } = this.config;
    if (!checkWorkspaceSecret || !workspaceKey || !workspaceSecret) return;
    this.result = this.check(workspaceKey, workspaceSecret);
  }

  private async check(workspaceKey: string, secret: string): Promise<SecretCheckOutcome> {
    try {
      const token = await new SignJWT({ id: SECRET_CHECK_CUSTOMER_ID, name: 'MCP server start-up check' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(workspaceKey)
        .setIssuedAt()
        .setExpirationTime('2m')
        .sign(Buffer.from(secret, 'utf8'));
      if (await this.upstream.accepts(token)) {
        this.logger.log(`Workspace secret checked: Integration.app accepts tokens of workspace "${workspaceKey}" signed with it.`);
        return 'accepted';
      }
      this.logger.warn(
        `INTEGRATION_APP_WORKSPACE_SECRET does not match workspace "${workspaceKey}" (INTEGRATION_APP_WORKSPACE_KEY): ` +
          'Integration.app rejected a token signed with it (HTTP 401/403). Customer tokens signed with the ' +
          'right secret will fail here with "Access token signature is invalid" (auth failure reason bad_signature). ' +
          "Copy the key and secret from the workspace's settings in the Integration.app console, or unset the secret to have " +
          'Integration.app check each token instead.',
      );
      return 'rejected';
    } catch {
      this.logger.warn(
        'Could not check INTEGRATION_APP_WORKSPACE_SECRET against Integration.app at start-up (it did not answer); tokens are still verified locally.',
      );
      return 'unknown';
    }
  }
}
