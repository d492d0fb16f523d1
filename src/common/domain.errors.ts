/**
 * Domain errors thrown by services. They never carry HTTP semantics themselves; the global
 * exception filter maps them to an HTTP status (and a JSON-RPC body on MCP routes).
 */
export abstract class DomainError extends Error {
  abstract readonly httpStatus: number;
  abstract readonly rpcCode: number;
  readonly headers: Record<string, string> = {};
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Why a request was refused 401, from a closed set (a log field and a metric label): no token,
 * not a readable token, expired or not yet valid, signed with another secret, issued for another
 * workspace, rejected by Integration.app, or anything else (e.g. the metrics token).
 */
export const AUTH_FAILURE_REASONS = [
  'missing',
  'malformed',
  'expired',
  'not_yet_valid',
  'bad_signature',
  'wrong_workspace',
  'upstream_rejected',
  'other',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

export class UnauthorizedError extends DomainError {
  readonly httpStatus = 401;
  readonly rpcCode = -32002;
  override readonly headers: Record<string, string>;
  readonly reason: AuthFailureReason;
  constructor(message: string, options?: { cause?: unknown; error?: 'invalid_token' | 'invalid_request'; reason?: AuthFailureReason }) {
    super(message, options);
    this.reason = options?.reason ?? 'other';
    // RFC 6750 §3: an error code and a description a person can read (no quotes or backslashes inside).
    const description = message.replace(/["\\]/g, "'").slice(0, 300);
    this.headers = {
      'WWW-Authenticate': `Bearer realm="mcp", error="${options?.error ?? 'invalid_token'}", error_description="${description}"`,
    };
  }
}

export class SessionNotFoundError extends DomainError {
  readonly httpStatus = 404;
  readonly rpcCode = -32001;
  constructor() {
    super('Session not found: it does not exist, has expired or belongs to another identity. Start a new session with an initialize request.');
  }
}

export class BadRequestError extends DomainError {
  readonly httpStatus = 400;
  constructor(
    message: string,
    readonly rpcCode: number = -32600,
  ) {
    super(message);
  }
}

export class ForbiddenOriginError extends DomainError {
  readonly httpStatus = 403;
  readonly rpcCode = -32000;
  constructor(origin: string) {
    super(`Origin ${JSON.stringify(origin.slice(0, 200))} is not allowed`);
  }
}

export class TooManySessionsError extends DomainError {
  readonly httpStatus = 503;
  readonly rpcCode = -32004;
  override readonly headers: Record<string, string>;
  constructor(retryAfterSeconds: number) {
    super('The server has reached its session limit; retry later or close unused sessions.');
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

/** The server is busy checking other access tokens (MAX_CONCURRENT_TOKEN_CHECKS): 503 + Retry-After. */
export class TokenChecksBusyError extends DomainError {
  readonly httpStatus = 503;
  readonly rpcCode = -32000;
  override readonly headers: Record<string, string>;
  constructor(retryAfterSeconds = 1) {
    super(`The server is busy checking other new access tokens; retry after ${retryAfterSeconds} s.`);
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

export class RateLimitedError extends DomainError {
  readonly httpStatus = 429;
  readonly rpcCode = -32004;
  override readonly headers: Record<string, string>;
  constructor(retryAfterSeconds: number, message = `Too many requests for this identity; retry after ${retryAfterSeconds} s.`) {
    super(message);
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

/** One identity holds as many of a bounded resource (open streams, …) as it may. */
export class QuotaExceededError extends DomainError {
  readonly httpStatus = 429;
  readonly rpcCode = -32004;
  override readonly headers: Record<string, string>;
  constructor(message: string, retryAfterSeconds = 5) {
    super(message);
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

/** Integration.app could not be reached, timed out, or answered with a server error. */
export class UpstreamUnavailableError extends DomainError {
  readonly httpStatus = 502;
  readonly rpcCode = -32003;
}

/** The session store (e.g. Redis) is unavailable. */
export class StoreUnavailableError extends DomainError {
  readonly httpStatus = 503;
  readonly rpcCode = -32003;
  constructor(options?: { cause?: unknown }) {
    super('Session store is unavailable; retry shortly.', options);
  }
}
