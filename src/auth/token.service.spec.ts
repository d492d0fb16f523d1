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

  describe('malformed headers and claims are a 401 invalid_token, never a crash', () => {
    const rawToken = (header: string, claims: string, signature = 'c2ln') =>
      `${Buffer.from(header).toString('base64url')}.${Buffer.from(claims).toString('base64url')}.${signature}`;
    /** Signed with the right secret, so only the header or claims can make it fail. */
    const signedRaw = (header: string, claims: string, secret = 'secret') => {
      const head = `${Buffer.from(header).toString('base64url')}.${Buffer.from(claims).toString('base64url')}`;
      return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
    };
    function expectInvalidToken(run: () => unknown): void {
      let thrown: unknown;
      try {
        run();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(UnauthorizedError);
      expect((thrown as UnauthorizedError).headers['WWW-Authenticate']).toContain('error="invalid_token"');
    }
    const claims = JSON.stringify({ id: 'c', iss: 'ws' });

    it.each([
      ['constructor', '{"alg":"constructor"}'],
      ['__proto__', '{"alg":"__proto__"}'],
      ['toString', '{"alg":"toString"}'],
      ['hasOwnProperty', '{"alg":"hasOwnProperty"}'],
      ['valueOf', '{"alg":"valueOf"}'],
      ['a number', '{"alg":256}'],
      ['an array', '{"alg":["HS256"]}'],
      ['an object', '{"alg":{"toString":"HS256"}}'],
      ['null', '{"alg":null}'],
      ['an empty string', '{"alg":""}'],
      ['lower case', '{"alg":"hs256"}'],
      ['only an inherited HS256', '{"__proto__":{"alg":"HS256"}}'],
    ])('rejects a header whose alg is %s', (_, header) => {
      const svc = new TokenService(config({ workspaceSecret: 'secret' }));
      expectInvalidToken(() => svc.parse(rawToken(header, claims)));
      expectInvalidToken(() => svc.parse(signedRaw(header, claims)));
    });

    it.each([
      ['an object id with a toString', '{"id":{"toString":"c"},"iss":"ws"}'],
      ['an array id', '{"id":["c"],"iss":"ws"}'],
      ['an id only under __proto__', '{"__proto__":{"id":"c","iss":"ws"},"iss":"ws"}'],
      ['an object issuer and no configured workspace', '{"id":"c","iss":{"toString":"ws"}}'],
      ['a constructor key', '{"constructor":{"prototype":{"polluted":true}}}'],
    ])('rejects claims with %s', (_, body) => {
      for (const svc of [new TokenService(config()), new TokenService(config({ workspaceSecret: 'secret' }))]) {
        expectInvalidToken(() => svc.parse(signedRaw('{"alg":"HS256","typ":"JWT"}', body)));
      }
      expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    });

    it('ignores __proto__ and object-valued claims beside valid ones', () => {
      const svc = new TokenService(config({ workspaceSecret: 'secret' }));
      const ctx = svc.parse(signedRaw('{"alg":"HS256","__proto__":{"alg":"none"}}', '{"id":"c","iss":"ws","__proto__":{"id":"admin"},"exp":{"valueOf":1}}'));
      expect(ctx.identity).toMatchObject({ workspaceKey: 'ws', customerId: 'c' });
      expect(ctx).toMatchObject({ verifiedLocally: true, expiresAt: undefined });
    });
  });
});

describe('TokenService parse cache', () => {
  it('stays bounded under a flood of distinct large tokens', () => {
    const service = new TokenService({ workspaceKey: 'ws', workspaceSecret: undefined } as never);
    const payload = Buffer.from(JSON.stringify({ id: 'victim', iss: 'ws', pad: 'p'.repeat(6000) })).toString('base64url');
    const head = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
    for (let i = 0; i < 2_000; i++) service.parse(`${head}.${payload}.forged${i}`);
    const cache = (service as unknown as { cache: { calculatedSize: number; size: number } }).cache;
    expect(cache.calculatedSize).toBeLessThanOrEqual(4_000_000);
    expect(cache.size).toBeLessThan(2_000);
  });
});
