import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { integrationAppConfig, IntegrationAppConfig } from '../config/app.config';
import { UnauthorizedError } from '../common/domain.errors';
import { AuthContext, identityOf } from './identity';

/** Decoded from untrusted JSON: every field is checked for its type before use. */
interface JwtHeader {
  alg?: unknown;
  typ?: unknown;
}
interface JwtClaims {
  id?: unknown;
  iss?: unknown;
  exp?: unknown;
  nbf?: unknown;
}

/** A Map, not an object literal: a header `alg` of `constructor` or `__proto__` must find nothing. */
const HMAC_BY_ALG: ReadonlyMap<string, string> = new Map([
  ['HS256', 'sha256'],
  ['HS512', 'sha512'],
]);
const CLOCK_SKEW_SECONDS = 30;
/** Characters of token text the parse cache may hold (about 4 MB). */
const PARSE_CACHE_MAX_CHARS = 4_000_000;

function decodeSegment<T>(segment: string): T | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads an Integration.app access token: a JWT whose `id` claim is the customer id and whose
 * `iss` is the workspace key. With `INTEGRATION_APP_WORKSPACE_SECRET` the signature is checked
 * here (HS256/HS512); otherwise the claims are provisional until Integration.app accepts the token.
 */
@Injectable()
export class TokenService {
  constructor(@Inject(integrationAppConfig.KEY) private readonly config: IntegrationAppConfig) {}


  /** Recently parsed tokens (the same token arrives on every request of a session). */
  /**
   * Bounded by count and by the characters of the tokens it holds (a flood of distinct forged
   * tokens of up to 8 KB each evicts older entries instead of growing the heap).
   */
  private readonly cache = new LRUCache<string, AuthContext>({ max: 10_000, maxSize: PARSE_CACHE_MAX_CHARS, sizeCalculation: (_ctx, token) => token.length });

  parse(token: string, nowSeconds = Math.floor(Date.now() / 1000)): AuthContext {
    const cached = this.cache.get(token);
    if (cached && (cached.expiresAt === undefined || cached.expiresAt + CLOCK_SKEW_SECONDS >= nowSeconds)) return cached;
    const ctx = this.parseUncached(token, nowSeconds);
    this.cache.set(token, ctx);
    return ctx;
  }

  private parseUncached(token: string, nowSeconds: number): AuthContext {
    if (token.length > 8192) throw new UnauthorizedError('Access token is too long.', { error: 'invalid_token' });
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || !parts[0] || !parts[1]) {
      throw new UnauthorizedError('Access token is not a JWT: expected an Integration.app access token.', { error: 'invalid_token' });
    }
    const header = decodeSegment<JwtHeader>(parts[0]);
    const claims = decodeSegment<JwtClaims>(parts[1]);
    if (!header || !claims) throw new UnauthorizedError('Access token is not a valid JWT.', { error: 'invalid_token' });

    const customerId = typeof claims.id === 'string' || typeof claims.id === 'number' ? String(claims.id) : '';
    if (!customerId) throw new UnauthorizedError('Access token has no customer id (`id` claim).', { error: 'invalid_token' });

    const configuredWorkspace = this.config.workspaceKey;
    const issuer = typeof claims.iss === 'string' ? claims.iss : undefined;
    if (configuredWorkspace && issuer && issuer !== configuredWorkspace) {
      throw new UnauthorizedError('Access token was issued for another workspace.', { error: 'invalid_token' });
    }
    const workspaceKey = issuer ?? configuredWorkspace;
    if (!workspaceKey) throw new UnauthorizedError('Access token has no workspace key (`iss` claim).', { error: 'invalid_token' });

    const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    if (exp !== undefined && exp + CLOCK_SKEW_SECONDS < nowSeconds) {
      throw new UnauthorizedError('Access token has expired; request a new one.', { error: 'invalid_token' });
    }
    if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_SECONDS > nowSeconds) {
      throw new UnauthorizedError('Access token is not valid yet.', { error: 'invalid_token' });
    }

    let verifiedLocally = false;
    const secret = this.config.workspaceSecret;
    if (secret) {
      const hmac = typeof header.alg === 'string' ? HMAC_BY_ALG.get(header.alg) : undefined;
      if (!hmac) throw new UnauthorizedError('Access token must be signed with HS256 or HS512.', { error: 'invalid_token' });
      const expected = createHmac(hmac, secret).update(`${parts[0]}.${parts[1]}`).digest();
      const given = Buffer.from(parts[2], 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new UnauthorizedError('Access token signature is invalid.', { error: 'invalid_token' });
      }
      verifiedLocally = true;
    }
    return { token, identity: identityOf(workspaceKey, customerId), verifiedLocally, expiresAt: exp };
  }
}
