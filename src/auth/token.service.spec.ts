import { createHmac } from 'node:crypto';
import { UnauthorizedError } from '../common/domain.errors';
import type { IntegrationAppConfig } from '../config/app.config';
import { TokenService } from './token.service';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function sign(claims: object, secret: string, alg = 'HS256'): string {
  const head = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
  const hmac = alg === 'HS512' ? 'sha512' : 'sha256';
  return `${head}.${createHmac(hmac, secret).update(head).digest('base64url')}`;
}
const config = (extra: Partial<IntegrationAppConfig> = {}) => ({ workspaceKey: undefined, workspaceSecret: undefined, ...extra }) as IntegrationAppConfig;
const now = Math.floor(Date.now() / 1000);

describe('TokenService', () => {
  it('derives identity from iss + id', () => {
    const ctx = new TokenService(config()).parse(sign({ id: 'c1', iss: 'ws' }, 's'));
    expect(ctx.identity).toMatchObject({ workspaceKey: 'ws', customerId: 'c1' });
    expect(ctx.verifiedLocally).toBe(false);
  });

  it('rejects non-JWTs, tokens without a customer id and expired tokens', () => {
    const svc = new TokenService(config());
    expect(() => svc.parse('abc')).toThrow(UnauthorizedError);
    expect(() => svc.parse(sign({ iss: 'ws' }, 's'))).toThrow(/customer id/);
    expect(() => svc.parse(sign({ id: 'c', iss: 'ws', exp: now - 3600 }, 's'))).toThrow(/expired/);
  });

  it('verifies HS256 and HS512 signatures with the workspace secret', () => {
    const svc = new TokenService(config({ workspaceSecret: 'secret' }));
    expect(svc.parse(sign({ id: 'c', iss: 'ws' }, 'secret')).verifiedLocally).toBe(true);
    expect(svc.parse(sign({ id: 'c', iss: 'ws' }, 'secret', 'HS512')).verifiedLocally).toBe(true);
    expect(() => svc.parse(sign({ id: 'c', iss: 'ws' }, 'other'))).toThrow(/signature/);
    const none = `${b64({ alg: 'none' })}.${b64({ id: 'c', iss: 'ws' })}.`;
    expect(() => svc.parse(none)).toThrow(UnauthorizedError);
  });

  it('rejects tokens of another workspace when a workspace key is configured', () => {
    const svc = new TokenService(config({ workspaceKey: 'mine' }));
    expect(() => svc.parse(sign({ id: 'c', iss: 'theirs' }, 's'))).toThrow(/another workspace/);
    expect(svc.parse(sign({ id: 'c' }, 's')).identity.workspaceKey).toBe('mine');
  });
});
