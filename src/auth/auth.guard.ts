import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthService } from './auth.service';
import { TenantLimits } from '../limits/tenant-limits';
import { AuthContext } from './identity';
import { REQUIRE_VERIFIED_IDENTITY } from './auth.decorators';

export interface AuthenticatedRequest extends Request {
  auth?: AuthContext;
}

/**
 * Authenticates every request of a guarded route (401 with `WWW-Authenticate: Bearer` when it
 * cannot) and applies the per-identity rate limit, per JSON-RPC call (429). Routes marked `@RequireVerifiedIdentity()` also wait for the identity to be verified.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly limits: TenantLimits,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const parsed = await this.auth.authenticate(req);
    // Every JSON-RPC call costs one (a batch as many as it holds), charged to the identity once its
    // claims are trusted, else to the token itself: forged tokens cannot drain their victim's budget.
    // Calls charged to the token are charged to the identity as well when the claims turn out
    // trusted (`ensureVerified`, on whichever replica serves them): one shared budget with REDIS_URL.
    const calls = Array.isArray(req.body) ? req.body.length : 1;
    const rateKey = this.auth.rateKey(parsed);
    await this.limits.chargeCalls(rateKey, calls);
    const ctx: AuthContext = rateKey === parsed.identity.key ? parsed : { ...parsed, unchargedCalls: { calls } };
    req.auth = ctx;
    const mustVerify = this.reflector.getAllAndOverride<boolean>(REQUIRE_VERIFIED_IDENTITY, [context.getHandler(), context.getClass()]);
    if (mustVerify) await this.auth.ensureVerified(ctx);
    return true;
  }
}
