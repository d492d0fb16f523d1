import { toWebRequest } from '@modelcontextprotocol/node';
import { webRequestWithoutBody } from './to-web-request.without-body';

/** Parity with the SDK's adapter: the same URL, method, headers and signal; only the unread body differs. */
describe('webRequestWithoutBody', () => {
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
      'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] as unknown as string,
      ':authority': 'ignored',
    },
  };

  it('builds the Request toWebRequest builds, less the body and what described it', async () => {
    const abort = new AbortController();
    const ours = webRequestWithoutBody(node, abort.signal);
    const sdk = await toWebRequest(node as never, body, { signal: abort.signal });
    expect(ours.url).toBe(sdk.url);
    expect(ours.method).toBe(sdk.method);
    const without = (h: Headers) => {
      const all: Array<[string, string]> = [];
      h.forEach((value, name) => name !== 'content-length' && all.push([name, value]));
      return all;
    };
    expect(without(ours.headers)).toEqual(without(sdk.headers));
    expect(ours.headers.get('content-length')).toBeNull();
    expect(ours.body).toBeNull();
    abort.abort();
    expect(ours.signal.aborted).toBe(true);
  });

  it('falls back to localhost without a Host header, and rejects a Host that is no host as toWebRequest does', async () => {
    expect(webRequestWithoutBody({ method: 'GET', url: '/mcp', headers: {} }).url).toBe('http://localhost/mcp');
    const bad = { method: 'GET', url: '/mcp', headers: { host: 'a b' } };
    expect(() => webRequestWithoutBody(bad)).toThrow();
    await expect(toWebRequest(bad as never)).rejects.toThrow();
  });
});
