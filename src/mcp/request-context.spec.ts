import { statelessToolContext } from './request-context';

describe('statelessToolContext', () => {
  const auth = { identity: { key: 'ws:cust', workspaceKey: 'ws', customerId: 'cust' }, token: 't' };
  const req = (headers: Record<string, string>, query: Record<string, string> = {}) => ({ path: '/mcp', query, headers });

  it('carries no policy when the request names none, as a session stores it (the registry applies the ceiling as it is)', () => {
    expect('policy' in statelessToolContext(auth, req({}))).toBe(false);
  });

  it("carries the request's policy when it names one, by header or query", () => {
    expect(statelessToolContext(auth, req({ 'x-mcp-readonly': 'true' })).policy).toEqual({ readOnly: true, allow: [], deny: [] });
    expect(statelessToolContext(auth, req({ 'x-mcp-tools': 'a,b' })).policy).toEqual({ readOnly: false, allow: [['a', 'b']], deny: [] });
    expect(statelessToolContext(auth, req({}, { exclude_tools: 'c' })).policy).toEqual({ readOnly: false, allow: [], deny: ['c'] });
  });
});
