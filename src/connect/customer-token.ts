import { decodeJwt, SignJWT } from 'jose';

/** The longest a token in a connect redirect lives (SPEC §16: within 15 minutes). */
export const CONNECT_TOKEN_SECONDS = 15 * 60;

/**
 * An Integration.app customer access token for the connection page, signed with the workspace
 * secret (HS256, `iss` the workspace key, `id` the customer), expiring after `seconds` (≤ 15 min).
 */
export async function mintCustomerToken(opts: {
  workspaceKey: string;
  secret: string;
  customerId: string;
  name?: string;
  seconds?: number;
}): Promise<{ token: string; expiresAt: number }> {
  const seconds = Math.min(CONNECT_TOKEN_SECONDS, opts.seconds ?? CONNECT_TOKEN_SECONDS);
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ id: opts.customerId, ...(opts.name ? { name: opts.name } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(opts.workspaceKey)
    .setIssuedAt(now)
    .setExpirationTime(now + seconds)
    .sign(new TextEncoder().encode(opts.secret));
  return { token, expiresAt: (now + seconds) * 1000 };
}

/** The `name` claim of a token the auth layer has already verified (Integration.app shows it for the customer). */
export function customerNameOf(token: string): string | undefined {
  try {
    const name = decodeJwt(token).name;
    return typeof name === 'string' && name.length > 0 && name.length <= 200 ? name : undefined;
  } catch {
    return undefined;
  }
}
