import { DomainError } from '../common/domain.errors';

export type UpstreamErrorKind =
  'unauthorized' | 'forbidden' | 'not_found' | 'rate_limited' | 'timeout' | 'unavailable' | 'bad_request' | 'connection' | 'action_failed';

const HTTP_BY_KIND: Record<UpstreamErrorKind, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  timeout: 504,
  unavailable: 502,
  bad_request: 400,
  connection: 409,
  action_failed: 422,
};

/** A failed call to Integration.app, classified from the structured error it returned. */
export class UpstreamError extends DomainError {
  readonly rpcCode = -32003;
  readonly kind: UpstreamErrorKind;
  readonly upstreamStatus?: number;
  readonly upstreamType?: string;
  readonly upstreamKey?: string;
  readonly retryAfterSeconds?: number;

  constructor(
    message: string,
    init: {
      kind: UpstreamErrorKind;
      upstreamStatus?: number;
      upstreamType?: string;
      upstreamKey?: string;
      retryAfterSeconds?: number;
      cause?: unknown;
    },
  ) {
    super(message, { cause: init.cause });
    this.kind = init.kind;
    this.upstreamStatus = init.upstreamStatus;
    this.upstreamType = init.upstreamType;
    this.upstreamKey = init.upstreamKey;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  get httpStatus(): number {
    return HTTP_BY_KIND[this.kind];
  }

  /** Worth retrying an idempotent read: network trouble, timeouts, 5xx and 429. */
  get retryable(): boolean {
    return this.kind === 'unavailable' || this.kind === 'timeout' || this.kind === 'rate_limited';
  }
}
