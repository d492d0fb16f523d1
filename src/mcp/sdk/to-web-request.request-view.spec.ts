import { toWebRequest } from '@modelcontextprotocol/node';
import { webRequestView } from './to-web-request.request-view';

/** Parity with the SDK's adapter: every member the SDK reads has toWebRequest's value; only the unread body differs. */
describe('webRequestView', () => {
  const body = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', arguments: {} } };
  const node = {
    method: 'post',
    url: '/mcp/search?apps=a,b',
    headers: {
      host: 'mcp.example:8080',
      'content-type': 'application/json',
      'content-length': '999',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'slack_send-message',
      accept: 'application/json, text/event-stream',
      'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] as unknown as string,
      'set-cookie': ['a=1', 'b=2'],
      ':authority': 'ignored',
    },
  };
  // (The project's TypeScript lib has no DOM iterables: Headers is iterable at run time.)
  const pairs = (h: Headers) => [...(h as unknown as Iterable<[string, string]>)];
  const without = (h: Headers) => pairs(h).filter(([name]) => name !== 'content-length');

  it('has the URL, method, headers (get, has, iteration) and signal of the Request toWebRequest builds, less the body', async () => {
    const abort = new AbortController();
    const ours = webRequestView(node, abort.signal);
    const sdk = await toWebRequest(node as never, body, { signal: abort.signal });
    expect(ours.url).toBe(sdk.url);
    expect(ours.method).toBe(sdk.method);
    expect(without(ours.headers)).toEqual(without(sdk.headers));
    const names = [...Object.keys(node.headers), 'Content-Type', 'MCP-Protocol-Version', 'Mcp-Name', 'last-event-id', 'origin', 'authorization'];
    // (A pseudo-header name is no header name: Headers.get throws for it, and the SDK reads fixed names.)
    for (const name of names.filter((n) => n !== 'content-length' && !n.startsWith(':'))) {
      expect([name, ours.headers.get(name)]).toEqual([name, sdk.headers.get(name)]);
      expect([name, ours.headers.has(name)]).toEqual([name, sdk.headers.has(name)]);
    }
    const seen: Array<[string, string]> = [];
    ours.headers.forEach((value, name) => seen.push([name, value]));
    expect(seen).toEqual(without(ours.headers));
    const view = ours.headers as unknown as { keys(): Iterable<string>; values(): Iterable<string> };
    expect([...view.keys()]).toEqual(seen.map(([n]) => n));
    expect([...view.values()]).toEqual(seen.map(([, v]) => v));
    expect(ours.headers.get('content-length')).toBeNull();
    expect(ours.body).toBeNull();
    expect(ours.signal).toBe(abort.signal);
    abort.abort();
    expect(ours.signal.aborted).toBe(true);
  });

  it('falls back to localhost without a Host header, and rejects a Host that is no host as toWebRequest does', async () => {
    const signal = new AbortController().signal;
    expect(webRequestView({ method: 'GET', url: '/mcp', headers: {} }, signal).url).toBe('http://localhost/mcp');
    const bad = { method: 'GET', url: '/mcp', headers: { host: 'a b' } };
    expect(() => webRequestView(bad, signal)).toThrow();
    await expect(toWebRequest(bad as never)).rejects.toThrow();
  });

  it('cuts a long bad Host in its error message', () => {
    const bad = { method: 'GET', url: '/mcp', headers: { host: `a b${'x'.repeat(10_000)}` } };
    expect(() => webRequestView(bad, new AbortController().signal)).toThrow(/^Invalid URL: .{0,200}$/);
  });
});
