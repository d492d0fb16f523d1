import type { ToolMode } from '../tools/tool-source';
import { statelessToolContext } from './request-context';

describe('statelessToolContext', () => {
  const auth = { identity: { key: 'ws:cust', workspaceKey: 'ws', customerId: 'cust' }, token: 't' };
  const req = (headers: Record<string, string>, query: Record<string, string> = {}, path = '/mcp') => ({ path, query, headers });
  /** The registry's decision, as a fake that answers only the 2026 era's question and records it. */
  const registry = (answer?: ToolMode) => {
    const asked: Array<[string, ToolMode]> = [];
    return {
      asked,
      servedMode(era: 'session' | 'stateless', requested: ToolMode): ToolMode {
        if (era !== 'stateless') throw new Error(`unexpected era ${era}`);
        asked.push([era, requested]);
        return answer ?? requested;
      },
    };
  };

  it('carries no policy when the request names none, as a session stores it (the registry applies the ceiling as it is)', () => {
    expect('policy' in statelessToolContext(auth, req({}), registry())).toBe(false);
  });

  it("carries the request's policy when it names one, by header or query", () => {
    expect(statelessToolContext(auth, req({ 'x-mcp-readonly': 'true' }), registry()).policy).toEqual({ readOnly: true, allow: [], deny: [] });
    expect(statelessToolContext(auth, req({ 'x-mcp-tools': 'a,b' }), registry()).policy).toEqual({ readOnly: false, allow: [['a', 'b']], deny: [] });
    expect(statelessToolContext(auth, req({}, { exclude_tools: 'c' }), registry()).policy).toEqual({ readOnly: false, allow: [], deny: ['c'] });
  });

  it('asks the registry which mode the 2026 era serves for the mode the path or query names, and carries its answer', () => {
    const byPath = registry('search');
    expect(statelessToolContext(auth, req({}, {}, '/mcp/dynamic'), byPath).mode).toBe('search');
    expect(byPath.asked).toEqual([['stateless', 'dynamic']]);
    const byQuery = registry('static');
    expect(statelessToolContext(auth, req({}, { mode: 'search' }), byQuery).mode).toBe('static');
    expect(byQuery.asked).toEqual([['stateless', 'search']]);
    const none = registry();
    expect(statelessToolContext(auth, req({}), none)).toMatchObject({ era: 'stateless', mode: 'static', apps: null, enabledTools: [] });
    expect(none.asked).toEqual([['stateless', 'static']]);
  });

  it('takes apps from the query and the caller from the guard', () => {
    expect(statelessToolContext(auth, req({}, { apps: 'slack,gmail' }), registry())).toMatchObject({
      identity: auth.identity,
      token: 't',
      apps: ['slack', 'gmail'],
    });
  });
});
