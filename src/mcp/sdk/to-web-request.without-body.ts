import type { IncomingHttpHeaders } from 'node:http';

/**
 * SDK shortcut — bypasses: `toWebRequest` of `@modelcontextprotocol/node` (pinned 2.1.2; server 2.4.0) for a
 * request whose body the caller hands the SDK already parsed (`parsedBody` of
 * `McpHttpHandler.fetch`). `toWebRequest` serializes the parsed body again, measures it with a
 * `TextEncoder` and gives the Web `Request` a body stream that nothing reads: with `parsedBody` the
 * SDK never reads `request.body`. This builds the same `Request` (URL from `Host` and the path, the
 * method, every header but HTTP/2 pseudo-headers, the abort signal) without the body.
 * Parity: to-web-request.without-body.spec.ts compares it with `toWebRequest`, and the
 * 2026-07-28 e2e suites (test/protocol-eras, test/sdk-parity) run every exchange through it.
 */
export function webRequestWithoutBody(req: { method?: string; url?: string; headers: IncomingHttpHeaders }, signal?: AbortSignal): globalThis.Request {
  const method = (req.method ?? 'GET').toUpperCase();
  const host = first(req.headers.host) ?? first(req.headers[':authority']) ?? 'localhost';
  // Name/value pairs, which the Request copies into its own Headers once (a Headers built here was
  // copied again). Node's header names are lower case and unique, so appending is setting.
  const headers: [string, string][] = [];
  for (const name in req.headers) {
    const value = req.headers[name];
    // The body is not sent on: what described it does not describe this request.
    if (value === undefined || name.startsWith(':') || BODY_HEADERS.has(name)) continue;
    if (Array.isArray(value)) for (const item of value) headers.push([name, item]);
    else headers.push([name, value]);
  }
  return new Request(`http://${host}${req.url ?? '/'}`, { method, headers, ...(signal ? { signal } : {}) });
}

const BODY_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding']);

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
