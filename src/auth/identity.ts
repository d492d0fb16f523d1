import { createHash } from 'node:crypto';

/** Who is calling: a customer of an Integration.app workspace. */
export interface Identity {
  workspaceKey: string;
  customerId: string;
  /** Stable opaque key (a hash) used to own sessions, chat maps and catalogs; safe to log. */
  key: string;
}

export function identityOf(workspaceKey: string, customerId: string): Identity {
  const key = createHash('sha256').update(`${workspaceKey}\u0000${customerId}`).digest('hex').slice(0, 32);
  return { workspaceKey, customerId, key };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The authenticated caller of one request. */
export interface AuthContext {
  token: string;
  identity: Identity;
  /** Signature checked locally with the workspace secret. */
  verifiedLocally: boolean;
  /** `exp` claim in epoch seconds, when present. */
  expiresAt?: number;
  /**
   * This request's JSON-RPC calls the guard charged to the token, its claims not yet trusted on this
   * replica: `AuthService.ensureVerified` charges them to the identity once they are (issue 20: the
   * replica that did not open a session charged only the token and served past the shared budget).
   * Set on a per-request copy, never on a parsed (cached, shared) context.
   */
  unchargedCalls?: { calls: number };
}
