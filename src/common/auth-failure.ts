import type { ServerResponse } from 'node:http';
import type { AuthFailureReason } from './domain.errors';

/** Why the response is a 401, kept with the response for the access line and the metric. */
const reasons = new WeakMap<ServerResponse, AuthFailureReason>();

export function recordAuthFailure(res: ServerResponse, reason: AuthFailureReason): void {
  reasons.set(res, reason);
}

/** The reason recorded for a 401 response, if any. */
export function authFailureOf(res: ServerResponse): AuthFailureReason | undefined {
  return reasons.get(res);
}
