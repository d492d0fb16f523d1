import { createHmac } from 'node:crypto';

export type JwtAlg = 'HS256' | 'HS512';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(payload: object, secret: string, alg: JwtAlg = 'HS256'): string {
  const head = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
  const sig = createHmac(alg === 'HS512' ? 'sha512' : 'sha256', secret)
    .update(head)
    .digest('base64url');
  return `${head}.${sig}`;
}

/** An Integration.app customer access token: `{ id: customerId, name, iss: workspaceKey, iat, exp }`. */
export function customerToken(opts: {
  workspaceKey: string;
  secret: string;
  customerId: string;
  name?: string;
  expiresInSeconds?: number;
  alg?: JwtAlg;
}): string {
  const iat = Math.floor(Date.now() / 1000);
  return signJwt(
    { id: opts.customerId, name: opts.name ?? opts.customerId, iss: opts.workspaceKey, iat, exp: iat + (opts.expiresInSeconds ?? 3600) },
    opts.secret,
    opts.alg,
  );
}
