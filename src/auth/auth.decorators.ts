import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuthContext } from './identity';

export const REQUIRE_VERIFIED_IDENTITY = Symbol('requireVerifiedIdentity');

/** The route reads state stored under the caller's identity: its claims must be verified first. */
export const RequireVerifiedIdentity = () => SetMetadata(REQUIRE_VERIFIED_IDENTITY, true);

/** The `AuthContext` the `AuthGuard` attached to the request. */
export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthContext => {
  const req = ctx.switchToHttp().getRequest<{ auth?: AuthContext }>();
  if (!req.auth) throw new Error('Auth() used on a route without AuthGuard');
  return req.auth;
});
