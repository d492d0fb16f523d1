import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { UnauthorizedError } from '../common/domain.errors';
import type { IntegrationAppConfig } from '../config/app.config';
import { TokenService } from './token.service';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function sign(claims: object, secret: string, alg = 'HS256', header: object = {}): string {
  const head = `${b64({ alg, typ: 'JWT', ...header })}.${b64(claims)}`;
  const hmac = alg === 'HS512' ? 'sha512' : 'sha256';
  return `${head}.${createHmac(hmac, secret).update(head).digest('base64url')}`;
}
const config = (extra: Partial<IntegrationAppConfig> = {}) => ({ workspaceKey: undefined, workspaceSecret: undefined, ...extra }) as IntegrationAppConfig;
const now = Math.floor(Date.now() / 1000);

async function invalidToken(run: Promise<unknown>): Promise<UnauthorizedError> {
  let thrown: unknown;
  try {
    await run;
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(UnauthorizedError);
  expect((thrown as UnauthorizedError).headers['WWW-Authenticate']).toContain('error="invalid_token"');
  return thrown as UnauthorizedError;
}

describe('TokenService', () => {
  it('derives identity from iss + id', async () => {
    const ctx = await new TokenService(config()).parse(sign({ id: 'c1', iss: 'ws' }, 's'));
    expect(ctx.identity).toMatchObject({ workspaceKey: 'ws', customerId: 'c1' });
    expect(ctx.verifiedLocally).toBe(false);
  });

  it('accepts a numeric customer id and keeps exp', async () => {
    const ctx = await new TokenService(config()).parse(sign({ id: 42, iss: 'ws', exp: now + 60 }, 's'));
    expect(ctx.identity.customerId).toBe('42');
    expect(ctx.expiresAt).toBe(now + 60);
  });

  it('rejects non-JWTs, tokens without a customer id and expired tokens', async () => {
    const svc = new TokenService(config());
    expect((await invalidToken(svc.parse('abc'))).message).toBe('Access token is not a JWT: expected an Integration.app access token.');
    expect((await invalidToken(svc.parse('a.b=.c'))).message).toMatch(/not a JWT/);
    expect((await invalidToken(svc.parse('.e30.'))).message).toMatch(/not a JWT/);
    expect((await invalidToken(svc.parse(`${b64({ alg: 'HS256' })}.bm90IGpzb24.x`))).message).toBe('Access token is not a valid JWT.');
    expect((await invalidToken(svc.parse(`${b64({ alg: 'HS256' })}.${b64([1])}.x`))).message).toBe('Access token is not a valid JWT.');
    expect((await invalidToken(svc.parse(sign({ iss: 'ws' }, 's')))).message).toBe('Access token has no customer id (`id` claim).');
    expect((await invalidToken(svc.parse(sign({ id: 'c', iss: 'ws', exp: now - 3600 }, 's')))).message).toBe('Access token has expired; request a new one.');
    expect((await invalidToken(svc.parse(sign({ id: 'c' }, 's')))).message).toBe('Access token has no workspace key (`iss` claim).');
  });

  it('allows 30 s of clock skew on exp and nbf', async () => {
    const svc = new TokenService(config());
    await expect(svc.parse(sign({ id: 'c', iss: 'ws', exp: now - 10 }, 's'), now)).resolves.toBeDefined();
    await expect(svc.parse(sign({ id: 'c', iss: 'ws', nbf: now + 10 }, 's'), now)).resolves.toBeDefined();
    expect((await invalidToken(svc.parse(sign({ id: 'c', iss: 'ws', nbf: now + 3600 }, 's'), now))).message).toBe('Access token is not valid yet.');
  });

  it('refuses tokens above 8 KB before decoding them', async () => {
    const svc = new TokenService(config());
    const long = sign({ id: 'c', iss: 'ws', pad: 'p'.repeat(8200) }, 's');
    expect((await invalidToken(svc.parse(long))).message).toBe('Access token is too long.');
  });

  it('verifies HS256 and HS512 signatures with the workspace secret', async () => {
    const svc = new TokenService(config({ workspaceSecret: 'secret' }));
    expect((await svc.parse(sign({ id: 'c', iss: 'ws' }, 'secret'))).verifiedLocally).toBe(true);
    expect((await svc.parse(sign({ id: 'c', iss: 'ws' }, 'secret', 'HS512'))).verifiedLocally).toBe(true);
    expect((await invalidToken(svc.parse(sign({ id: 'c', iss: 'ws' }, 'other')))).message).toBe('Access token signature is invalid.');
    expect((await invalidToken(svc.parse(sign({ id: 'c', iss: 'ws' }, 'other', 'HS512')))).message).toBe('Access token signature is invalid.');
    const good = sign({ id: 'c', iss: 'ws', n: 1 }, 'secret');
    expect((await invalidToken(svc.parse(`${good.slice(0, good.lastIndexOf('.'))}.c2ln`))).message).toBe('Access token signature is invalid.');
    const none = `${b64({ alg: 'none' })}.${b64({ id: 'c', iss: 'ws' })}.`;
    expect((await invalidToken(svc.parse(none))).message).toBe('Access token must be signed with HS256 or HS512.');
    expect((await invalidToken(svc.parse(sign({ id: 'c', iss: 'ws' }, 'secret', 'HS384')))).message).toBe('Access token must be signed with HS256 or HS512.');
  });

  it('accepts tokens signed by jose itself (parity with the library signing path)', async () => {
    const svc = new TokenService(config({ workspaceSecret: 'secret' }));
    const key = new TextEncoder().encode('secret');
    for (const alg of ['HS256', 'HS512']) {
      const token = await new SignJWT({ id: 'c', iss: 'ws' }).setProtectedHeader({ alg }).setExpirationTime('1h').sign(key);
      const ctx = await svc.parse(token);
      expect(ctx).toMatchObject({ verifiedLocally: true, identity: { customerId: 'c', workspaceKey: 'ws' } });
    }
  });

  it('refuses a signed token whose header names a critical extension it does not know', async () => {
    const svc = new TokenService(config({ workspaceSecret: 'secret' }));
    const error = await invalidToken(svc.parse(sign({ id: 'c', iss: 'ws' }, 'secret', 'HS256', { crit: ['exp'], exp: 1 })));
    expect(error.message).toBe('Access token is not a valid JWT.');
    expect(error.cause).toBeDefined();
  });

  it('checks claims before the signature, as before (an expired forgery is reported as expired)', async () => {
    const svc = new TokenService(config({ workspaceSecret: 'secret' }));
    expect((await invalidToken(svc.parse(sign({ id: 'c', iss: 'ws', exp: now - 3600 }, 'other')))).message).toMatch(/expired/);
  });

  it('rejects tokens of another workspace when a workspace key is configured', async () => {
    const svc = new TokenService(config({ workspaceKey: 'mine' }));
    expect((await invalidToken(svc.parse(sign({ id: 'c', iss: 'theirs' }, 's')))).message).toBe('Access token was issued for another workspace.');
    expect((await svc.parse(sign({ id: 'c' }, 's'))).identity.workspaceKey).toBe('mine');
  });

  describe('malformed headers and claims are a 401 invalid_token, never a crash', () => {
    const rawToken = (header: string, claims: string, signature = 'c2ln') =>
      `${Buffer.from(header).toString('base64url')}.${Buffer.from(claims).toString('base64url')}.${signature}`;
    /** Signed with the right secret, so only the header or claims can make it fail. */
    const signedRaw = (header: string, claims: string, secret = 'secret') => {
      const head = `${Buffer.from(header).toString('base64url')}.${Buffer.from(claims).toString('base64url')}`;
      return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
    };
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
    ])('rejects a header whose alg is %s', async (_, header) => {
      const svc = new TokenService(config({ workspaceSecret: 'secret' }));
      expect((await invalidToken(svc.parse(rawToken(header, claims)))).message).toBe('Access token must be signed with HS256 or HS512.');
      expect((await invalidToken(svc.parse(signedRaw(header, claims)))).message).toBe('Access token must be signed with HS256 or HS512.');
    });

    it.each([
      ['an object id with a toString', '{"id":{"toString":"c"},"iss":"ws"}'],
      ['an array id', '{"id":["c"],"iss":"ws"}'],
      ['an id only under __proto__', '{"__proto__":{"id":"c","iss":"ws"},"iss":"ws"}'],
      ['an object issuer and no configured workspace', '{"id":"c","iss":{"toString":"ws"}}'],
      ['a constructor key', '{"constructor":{"prototype":{"polluted":true}}}'],
    ])('rejects claims with %s', async (_, body) => {
      for (const svc of [new TokenService(config()), new TokenService(config({ workspaceSecret: 'secret' }))]) {
        await invalidToken(svc.parse(signedRaw('{"alg":"HS256","typ":"JWT"}', body)));
      }
      expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    });

    it('ignores __proto__ and object-valued claims beside valid ones', async () => {
      const svc = new TokenService(config({ workspaceSecret: 'secret' }));
      const ctx = await svc.parse(
        signedRaw('{"alg":"HS256","__proto__":{"alg":"none"}}', '{"id":"c","iss":"ws","__proto__":{"id":"admin"},"exp":{"valueOf":1}}'),
      );
      expect(ctx.identity).toMatchObject({ workspaceKey: 'ws', customerId: 'c' });
      expect(ctx).toMatchObject({ verifiedLocally: true, expiresAt: undefined });
    });

    it('rejects a header that is not a JSON object', async () => {
      for (const svc of [new TokenService(config()), new TokenService(config({ workspaceSecret: 'secret' }))]) {
        expect((await invalidToken(svc.parse(signedRaw('[1]', claims)))).message).toBe('Access token is not a valid JWT.');
        expect((await invalidToken(svc.parse(signedRaw('{', claims)))).message).toBe('Access token is not a valid JWT.');
      }
    });
  });
});

describe('TokenService parse cache', () => {
  it('answers a token it has parsed from the cache, until the token expires', async () => {
    const svc = new TokenService(config({ workspaceSecret: 'secret' }));
    const token = sign({ id: 'c', iss: 'ws', exp: now + 100 }, 'secret');
    const first = await svc.parse(token, now);
    expect(await svc.parse(token, now + 50)).toBe(first);
    expect((await invalidToken(svc.parse(token, now + 200))).message).toMatch(/expired/);
  });

  it('does not cache refusals', async () => {
    const svc = new TokenService(config({ workspaceSecret: 'secret' }));
    const forged = sign({ id: 'c', iss: 'ws' }, 'other');
    await invalidToken(svc.parse(forged));
    await invalidToken(svc.parse(forged));
  });

  it('stays bounded under a flood of distinct large tokens', async () => {
    const service = new TokenService({ workspaceKey: 'ws', workspaceSecret: undefined } as never);
    const payload = Buffer.from(JSON.stringify({ id: 'victim', iss: 'ws', pad: 'p'.repeat(6000) })).toString('base64url');
    const head = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
    for (let i = 0; i < 2_000; i++) await service.parse(`${head}.${payload}.forged${i}`);
    const cache = (service as unknown as { cache: { calculatedSize: number; size: number } }).cache;
    expect(cache.calculatedSize).toBeLessThanOrEqual(4_000_000);
    expect(cache.size).toBeLessThan(2_000);
  });
});
