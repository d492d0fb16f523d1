import { createSecretKey, KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { compactVerify, decodeJwt, decodeProtectedHeader, errors as joseErrors } from 'jose';
import { LRUCache } from 'lru-cache';
import { integrationAppConfig, IntegrationAppConfig } from '../config/app.config';
import { AuthFailureReason, UnauthorizedError } from '../common/domain.errors';
import { AuthContext, identityOf } from './identity';

/** Decoded from untrusted JSON: every field is checked for its type before use. */
interface JwtHeader {
  alg?: unknown;
}
interface JwtClaims {
  id?: unknown;
  iss?: unknown;
  exp?: unknown;
  nbf?: unknown;
}

/** A Set, not an object literal: a header `alg` of `constructor` or `__proto__` must find nothing. */
const ALGORITHMS = ['HS256', 'HS512'];
const ALLOWED_ALGS: ReadonlySet<string> = new Set(ALGORITHMS);
const CLOCK_SKEW_SECONDS = 30;
/** Characters of token text the parse cache may hold (about 4 MB). */
const PARSE_CACHE_MAX_CHARS = 4_000_000;
const MAX_TOKEN_CHARS = 8192;

const invalidToken = (message: string, reason: AuthFailureReason, cause?: unknown) => new UnauthorizedError(message, { cause, error: 'invalid_token', reason });

/** Header and claims of a compact JWT, not verified; undefined when either is not a JSON object. */
function decodeUnverified(token: string): { header: JwtHeader; claims: JwtClaims } | undefined {
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    return undefined;
  }
}

/**
 * Reads an Integration.app access token: a JWT whose `id` claim is the customer id and whose
 * `iss` is the workspace key. With `INTEGRATION_APP_WORKSPACE_SECRET` the signature is checked
 * here with `jose` (HS256/HS512); otherwise the claims are provisional until Integration.app
 * accepts the token. Claims are checked by our own rules (30 s clock skew, non-numeric `exp`/`nbf`
 * ignored, `iss` only against the configured workspace), so only the signature is left to `jose`.
 */
@Injectable()
export class TokenService {
  /** The workspace secret as an HMAC key, imported once. */
  private readonly key: KeyObject | undefined;

  /**
   * Recently parsed tokens (the same token arrives on every request of a session). Bounded by
   * count and by the characters of the tokens it holds (a flood of distinct forged tokens of up to
   * 8 KB each evicts older entries instead of growing the heap).
   */
  private readonly cache = new LRUCache<string, AuthContext>({ max: 10_000, maxSize: PARSE_CACHE_MAX_CHARS, sizeCalculation: (_ctx, token) => token.length });

  constructor(@Inject(integrationAppConfig.KEY) private readonly config: IntegrationAppConfig) {
    this.key = config.workspaceSecret ? createSecretKey(Buffer.from(config.workspaceSecret, 'utf8')) : undefined;
  }

  /** The caller of a token, or `UnauthorizedError` (invalid_token). A cached token costs no crypto. */
  async parse(token: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<AuthContext> {
    const cached = this.cache.get(token);
    if (cached && (cached.expiresAt === undefined || cached.expiresAt + CLOCK_SKEW_SECONDS >= nowSeconds)) return cached;
    const ctx = await this.parseUncached(token, nowSeconds);
    this.cache.set(token, ctx);
    return ctx;
  }

  private async parseUncached(token: string, nowSeconds: number): Promise<AuthContext> {
    if (token.length > MAX_TOKEN_CHARS) throw invalidToken('Access token is too long.', 'malformed');
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || !parts[0] || !parts[1]) {
      throw invalidToken('Access token is not a JWT: expected an Integration.app access token.', 'malformed');
    }
    const decoded = decodeUnverified(token);
    if (!decoded) throw invalidToken('Access token is not a valid JWT.', 'malformed');
    const { header, claims } = decoded;

    const customerId = typeof claims.id === 'string' || typeof claims.id === 'number' ? String(claims.id) : '';
    if (!customerId) throw invalidToken('Access token has no customer id (`id` claim).', 'malformed');

    const configuredWorkspace = this.config.workspaceKey;
    const issuer = typeof claims.iss === 'string' ? claims.iss : undefined;
    if (configuredWorkspace && issuer && issuer !== configuredWorkspace)
      throw invalidToken('Access token was issued for another workspace.', 'wrong_workspace');
    const workspaceKey = issuer ?? configuredWorkspace;
    if (!workspaceKey) throw invalidToken('Access token has no workspace key (`iss` claim).', 'malformed');

    const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    if (exp !== undefined && exp + CLOCK_SKEW_SECONDS < nowSeconds) throw invalidToken('Access token has expired; request a new one.', 'expired');
    if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_SECONDS > nowSeconds) throw invalidToken('Access token is not valid yet.', 'not_yet_valid');

    if (this.key) await this.verifySignature(token, header, this.key);
    return { token, identity: identityOf(workspaceKey, customerId), verifiedLocally: this.key !== undefined, expiresAt: exp };
  }

  private async verifySignature(token: string, header: JwtHeader, key: KeyObject): Promise<void> {
    // Checked here as well as by `jose` (`algorithms`), so that the caller learns which rule failed.
    if (typeof header.alg !== 'string' || !ALLOWED_ALGS.has(header.alg))
      throw invalidToken('Access token must be signed with HS256 or HS512.', 'bad_signature');
    try {
      await compactVerify(token, key, { algorithms: ALGORITHMS });
    } catch (err) {
      if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw invalidToken('Access token signature is invalid.', 'bad_signature', err);
      if (err instanceof joseErrors.JOSEAlgNotAllowed) throw invalidToken('Access token must be signed with HS256 or HS512.', 'bad_signature', err);
      // Anything else jose refuses (an unknown `crit` extension, …) is not a token we can read.
      throw invalidToken('Access token is not a valid JWT.', 'malformed', err);
    }
  }
}
