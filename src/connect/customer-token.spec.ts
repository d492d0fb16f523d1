import { jwtVerify } from 'jose';
import { CONNECT_TOKEN_SECONDS, customerNameOf, mintCustomerToken } from './customer-token';

describe('customer tokens for the connection page', () => {
  const secret = 'a-workspace-secret-of-some-length';

  it('are HS256 with the workspace secret, iss = workspace, id = customer, and live at most 15 minutes', async () => {
    const { token, expiresAt } = await mintCustomerToken({ workspaceKey: 'ws', secret, customerId: 'c-1', name: 'Ada', seconds: 3600 });
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(secret), { issuer: 'ws' });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ id: 'c-1', name: 'Ada', iss: 'ws' });
    expect(payload.exp! - payload.iat!).toBe(CONNECT_TOKEN_SECONDS);
    expect(CONNECT_TOKEN_SECONDS).toBeLessThanOrEqual(15 * 60);
    expect(expiresAt).toBe(payload.exp! * 1000);
    await expect(jwtVerify(token, new TextEncoder().encode('another secret'))).rejects.toThrow();
  });

  it("carries the caller's name claim only when it is a short string", () => {
    const tokenWith = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
    expect(customerNameOf(tokenWith({ name: 'Ada' }))).toBe('Ada');
    expect(customerNameOf(tokenWith({ name: 'x'.repeat(201) }))).toBeUndefined();
    expect(customerNameOf(tokenWith({ name: 42 }))).toBeUndefined();
    expect(customerNameOf('not a jwt')).toBeUndefined();
  });
});
