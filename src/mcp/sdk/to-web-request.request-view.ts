import type { IncomingHttpHeaders } from 'node:http';

/*
 * SDK shortcut — bypasses: `toWebRequest` of `@modelcontextprotocol/node` (pinned 2.1.2; server 2.4.0),
 * and with it undici's `Request`, for a request whose body the caller hands the SDK already parsed
 * (`parsedBody` of `McpHttpHandler.fetch`). `toWebRequest` serializes the parsed body again and builds
 * a Web `Request` with a body stream nothing reads, a `Headers` copy of every header and a second
 * abort signal that follows ours (with a WeakRef and a finalization registration): ≈ 10 µs of a
 * 2026-07-28 request. With `parsedBody`, `createMcpHandler` and the per-request transport read only
 * the request's `method`, `headers.get(name)`, `signal` and (for an OAuth scope challenge) `url`; this
 * gives them a read-only view of Node's request with the same values: the URL from `Host` and the
 * path, the method in upper case, every header but HTTP/2 pseudo-headers and those that described the
 * body (a repeated header joined with ", ", as `Headers` joins it), and our own abort signal.
 * Parity: to-web-request.request-view.spec.ts compares every member with `toWebRequest`'s Request, and
 * the 2026-07-28 e2e suites (test/protocol-eras, test/sdk-parity) run every exchange through it.
 */

const BODY_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding']);

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The `Headers` members the SDK reads, over Node's (already lower-case, trimmed) header object. */
class NodeHeadersView {
  constructor(private readonly node: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const key = name.toLowerCase();
    if (key.startsWith(':') || BODY_HEADERS.has(key)) return null;
    const value = this.node[key];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  /** In `Headers` order: names sorted. */
  forEach(callback: (value: string, name: string, parent: NodeHeadersView) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }

  /** `Set-Cookie` is the one header `Headers` iterates value by value. */
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.node).sort()) {
      const raw = this.node[name];
      if (name === 'set-cookie' && Array.isArray(raw)) for (const cookie of raw) yield [name, cookie];
      else {
        const value = this.get(name);
        if (value !== null) yield [name, value];
      }
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/**
 * A request's view as a Web `Request` for the SDK, without its body. Throws (as `toWebRequest` does)
 * when the Host header makes no URL.
 */
export function webRequestView(req: { method?: string; url?: string; headers: IncomingHttpHeaders }, signal: AbortSignal): globalThis.Request {
  const host = first(req.headers.host) ?? first(req.headers[':authority']) ?? 'localhost';
  const url = `http://${host}${req.url ?? '/'}`;
  if (!URL.canParse(url)) throw new TypeError(`Invalid URL: ${url.slice(0, 200)}`);
  const view = {
    method: (req.method ?? 'GET').toUpperCase(),
    url,
    headers: new NodeHeadersView(req.headers),
    signal,
    body: null,
    bodyUsed: false,
  };
  return view as unknown as globalThis.Request;
}
