import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { LRUCache } from 'lru-cache';
import { TenantLimits } from '../limits/tenant-limits';
import { appConfig, AppConfig } from '../config/app.config';
import { UnauthorizedError } from '../common/domain.errors';
import { AuthContext, hashToken } from './identity';
import { TokenService } from './token.service';
import { UpstreamTokenCheck } from './upstream-token.check';

const VERIFIED_CACHE_MAX = 10_000;
const VERIFIED_CACHE_TTL_MS = 10 * 60_000;
/** Tokens Integration.app rejected are answered 401 from memory for this long (no upstream call). */
const REJECTED_CACHE_MAX = 10_000;
const REJECTED_CACHE_TTL_MS = 5 * 60_000;

/**
 * Every identity rule lives here: where the token comes from, how it is checked, and when a
 * claim may be trusted with stored state.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  /** sha256(token) → accepted by Integration.app (no-secret mode), until the token's expiry or the cache TTL. */
  private readonly verified = new LRUCache<string, true>({ max: VERIFIED_CACHE_MAX, ttl: VERIFIED_CACHE_TTL_MS });
  /** sha256(token) → rejected by Integration.app: answered at once next time. */
  private readonly rejected = new LRUCache<string, true>({ max: REJECTED_CACHE_MAX, ttl: REJECTED_CACHE_TTL_MS });
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly tokens: TokenService,
    private readonly upstream: UpstreamTokenCheck,
    private readonly limits: TenantLimits,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
  ) {}

  /**
   * What the caller's requests are charged to: the identity once its claims are trusted, else the
   * token itself (so tokens forged with a victim's customer id cannot spend the victim's budget).
   */
  rateKey(ctx: AuthContext): string {
    if (ctx.verifiedLocally) return ctx.identity.key;
    const hash = hashToken(ctx.token);
    return this.verified.has(hash) ? ctx.identity.key : `token:${hash}`;
  }

  /** The token of a request: `Authorization: Bearer` first, then `?token=` when allowed. */
  extractToken(req: Request): string | undefined {
    const header = req.headers.authorization;
    if (typeof header === 'string' && header.trim()) {
      const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw new UnauthorizedError('Authorization header must be "Bearer <access token>".', { error: 'invalid_request', reason: 'malformed' });
      return match[1];
    }
    if (this.config.allowQueryToken) {
      const q = req.query?.token;
      if (typeof q === 'string' && q.trim()) return q.trim();
      if (Array.isArray(q)) throw new UnauthorizedError('Pass exactly one token query parameter.', { error: 'invalid_request', reason: 'malformed' });
    }
    return undefined;
  }

  /** Local checks only (presence, JWT shape, customer id, expiry, signature when a secret is set). */
  async authenticate(req: Request): Promise<AuthContext> {
    const token = this.extractToken(req);
    if (!token) {
      const how = this.config.allowQueryToken ? 'an Authorization: Bearer header or a ?token= query parameter' : 'an Authorization: Bearer header';
      throw new UnauthorizedError(`Missing access token: pass an Integration.app access token in ${how}.`, { reason: 'missing' });
    }
    return this.tokens.parse(token);
  }

  /** Like `authenticate`, but a request without any token yields undefined instead of a 401. */
  async authenticateOptional(req: Request): Promise<AuthContext | undefined> {
    return this.extractToken(req) === undefined ? undefined : this.authenticate(req);
  }

  /**
   * Makes the caller's claims trustworthy before they unlock anything stored under the identity:
   * verified locally with the workspace secret, or accepted by Integration.app (`GET /self`,
   * remembered per token). An upstream 401/403 becomes our 401.
   */
  async ensureVerified(ctx: AuthContext, knownGoodToken?: string): Promise<void> {
    if (ctx.verifiedLocally) return;
    const key = hashToken(ctx.token);
    if (knownGoodToken !== undefined && knownGoodToken === ctx.token) {
      // The session's own token, verified where the session was opened: trusted here too from now on.
      this.rememberVerified(ctx, key);
      return this.chargeDeferred(ctx);
    }
    if (this.verified.has(key)) return this.chargeDeferred(ctx);
    if (this.rejected.has(key))
      throw new UnauthorizedError('Integration.app rejected the access token.', { error: 'invalid_token', reason: 'upstream_rejected' });
    let inflight = this.pending.get(key);
    if (!inflight) {
      // Each distinct unverified token costs one upstream request: bounded per claimed identity.
      // Charged inside the single flight, so concurrent requests with one token are charged once.
      inflight = this.limits
        .chargeTokenCheck(ctx.identity.key)
        .then(() => this.limits.withTokenCheckSlot(() => this.verifyUpstream(ctx, key)))
        .finally(() => this.pending.delete(key));
      this.pending.set(key, inflight);
    }
    await inflight;
    return this.chargeDeferred(ctx);
  }

  /** Charges the identity with the calls the guard charged to the token only (see `AuthContext.unchargedCalls`). */
  private async chargeDeferred(ctx: AuthContext): Promise<void> {
    const pending = ctx.unchargedCalls;
    if (!pending || pending.calls <= 0) return;
    const calls = pending.calls;
    pending.calls = 0;
    await this.limits.chargeCalls(ctx.identity.key, calls);
  }

  private rememberVerified(ctx: AuthContext, key: string): void {
    if (this.verified.has(key)) return;
    const ttl = ctx.expiresAt ? Math.min(ctx.expiresAt * 1000 - Date.now(), VERIFIED_CACHE_TTL_MS) : VERIFIED_CACHE_TTL_MS;
    if (ttl > 0) this.verified.set(key, true, { ttl });
  }

  private async verifyUpstream(ctx: AuthContext, key: string): Promise<void> {
    if (!(await this.upstream.accepts(ctx.token))) {
      this.rejected.set(key, true);
      throw new UnauthorizedError('Integration.app rejected the access token.', { error: 'invalid_token', reason: 'upstream_rejected' });
    }
    this.rememberVerified(ctx, key);
    this.logger.debug(`Token of identity ${ctx.identity.key.slice(0, 12)} accepted by Integration.app`);
  }
}
