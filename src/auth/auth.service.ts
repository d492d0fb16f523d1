import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { appConfig, AppConfig } from '../config/app.config';
import { UnauthorizedError } from '../common/domain.errors';
import { IntegrationAppGateway } from '../integrations/integration-app.gateway';
import { UpstreamError } from '../integrations/upstream.error';
import { AuthContext, hashToken } from './identity';
import { TokenService } from './token.service';

const VERIFIED_CACHE_MAX = 10_000;
const VERIFIED_CACHE_TTL_MS = 10 * 60_000;

/**
 * Every identity rule lives here: where the token comes from, how it is checked, and when a
 * claim may be trusted with stored state.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  /** sha256(token) → until when Integration.app's acceptance of it is trusted (no-secret mode). */
  private readonly verified = new Map<string, number>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly tokens: TokenService,
    private readonly gateway: IntegrationAppGateway,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
  ) {}

  /** The token of a request: `Authorization: Bearer` first, then `?token=` when allowed. */
  extractToken(req: Request): string | undefined {
    const header = req.headers.authorization;
    if (typeof header === 'string' && header.trim()) {
      const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw new UnauthorizedError('Authorization header must be "Bearer <access token>".', { error: 'invalid_request' });
      return match[1];
    }
    if (this.config.allowQueryToken) {
      const q = req.query?.token;
      if (typeof q === 'string' && q.trim()) return q.trim();
      if (Array.isArray(q)) throw new UnauthorizedError('Pass exactly one token query parameter.', { error: 'invalid_request' });
    }
    return undefined;
  }

  /** Local checks only (presence, JWT shape, customer id, expiry, signature when a secret is set). */
  authenticate(req: Request): AuthContext {
    const token = this.extractToken(req);
    if (!token) {
      const how = this.config.allowQueryToken ? 'an Authorization: Bearer header or a ?token= query parameter' : 'an Authorization: Bearer header';
      throw new UnauthorizedError(`Missing access token: pass an Integration.app access token in ${how}.`);
    }
    return this.tokens.parse(token);
  }

  /** Like `authenticate`, but a request without any token yields undefined instead of a 401. */
  authenticateOptional(req: Request): AuthContext | undefined {
    return this.extractToken(req) === undefined ? undefined : this.authenticate(req);
  }

  /**
   * Makes the caller's claims trustworthy before they unlock anything stored under the identity:
   * verified locally with the workspace secret, or accepted by Integration.app (`GET /self`,
   * remembered per token). An upstream 401/403 becomes our 401.
   */
  async ensureVerified(ctx: AuthContext, knownGoodToken?: string): Promise<void> {
    if (ctx.verifiedLocally) return;
    if (knownGoodToken !== undefined && knownGoodToken === ctx.token) return;
    const key = hashToken(ctx.token);
    const until = this.verified.get(key);
    if (until !== undefined && until > Date.now()) return;
    let inflight = this.pending.get(key);
    if (!inflight) {
      inflight = this.verifyUpstream(ctx, key).finally(() => this.pending.delete(key));
      this.pending.set(key, inflight);
    }
    return inflight;
  }

  private async verifyUpstream(ctx: AuthContext, key: string): Promise<void> {
    try {
      await this.gateway.getSelf(ctx.token);
    } catch (err) {
      if (err instanceof UpstreamError && (err.kind === 'unauthorized' || err.kind === 'forbidden')) {
        throw new UnauthorizedError('Integration.app rejected the access token.', { cause: err, error: 'invalid_token' });
      }
      throw err;
    }
    const expiry = ctx.expiresAt ? Math.min(ctx.expiresAt * 1000, Date.now() + VERIFIED_CACHE_TTL_MS) : Date.now() + VERIFIED_CACHE_TTL_MS;
    this.verified.set(key, expiry);
    if (this.verified.size > VERIFIED_CACHE_MAX) {
      const oldest = this.verified.keys().next().value as string;
      this.verified.delete(oldest);
    }
    this.logger.debug(`Token of identity ${ctx.identity.key.slice(0, 12)} accepted by Integration.app`);
  }
}
