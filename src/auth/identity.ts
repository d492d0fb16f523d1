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
}
