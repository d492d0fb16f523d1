const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * `scheme://host[:port]` of a request, from its `Host` header (and `X-Forwarded-Proto` when a proxy
 * set it), for links on this server when `PUBLIC_URL` is unset. Undefined for a malformed host.
 */
export function requestOrigin(headers: Record<string, string | string[] | undefined> | undefined): string | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();
  const host = first(headers?.host);
  if (!host || !HOST.test(host)) return undefined;
  const proto = first(headers?.['x-forwarded-proto'])?.toLowerCase();
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}
