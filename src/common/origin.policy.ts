import { AddressInfo, BlockList, isIP } from 'node:net';
import { ForbiddenOriginError } from './domain.errors';

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8: every address that only this machine can reach. */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addSubnet('::1', 128, 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/**
 * Whether a host name or address (as in a URL, an `Origin`, `HOST` or `server.address()`) is
 * loopback: `localhost` (also with a trailing dot), or an address in {@link LOOPBACK} in any
 * spelling the WHATWG URL parser accepts (`127.1`, `0x7f.1`, `[0:0:0:0:0:0:0:1]`, `::ffff:127.0.0.1`).
 */
export function isLoopbackHost(host: string): boolean {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (isIP(name) === 0) {
    // Normalises the IPv4 shorthands (`127.1`, `2130706433`) and strips nothing else.
    const parsed = hostnameOf(`http://${name.includes(':') ? `[${name}]` : name}`);
    if (parsed === undefined) return false;
    name = parsed.startsWith('[') ? parsed.slice(1, -1) : parsed;
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === 'localhost') return true;
  const family = isIP(name);
  return family !== 0 && LOOPBACK.check(name, family === 4 ? 'ipv4' : 'ipv6');
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** What `server.address()` returns: an address, a pipe path, or null before `listen`. */
export type BoundAddress = () => AddressInfo | string | null | undefined;

/**
 * Browser-origin rules for the MCP routes. With `ALLOWED_ORIGINS` only those origins pass. Without
 * it, a server bound to a loopback address only accepts loopback origins (DNS-rebinding
 * protection); requests without an Origin header (non-browser clients) always pass.
 *
 * "Bound to loopback" is decided from the address the server actually listens on (`boundAddress`,
 * read on first use once listening), so any spelling of `HOST` that resolves to loopback counts;
 * before that, or for a pipe, from `HOST` itself.
 */
export class OriginPolicy {
  private loopbackBind?: boolean;

  constructor(
    private readonly allowed: string[],
    private readonly bindHost: string,
    private readonly boundAddress?: BoundAddress,
  ) {}

  private loopbackOnly(): boolean {
    if (this.loopbackBind !== undefined) return this.loopbackBind;
    const bound = this.boundAddress?.();
    if (bound && typeof bound === 'object') return (this.loopbackBind = isLoopbackHost(bound.address));
    return isLoopbackHost(this.bindHost);
  }

  isAllowed(origin: string | undefined): boolean {
    if (!origin) return true;
    if (this.allowed.length > 0) return this.allowed.includes(origin) || this.allowed.includes('*');
    if (this.loopbackOnly()) {
      const host = hostnameOf(origin);
      return host !== undefined && isLoopbackHost(host);
    }
    return true;
  }

  check(origin: string | undefined): void {
    if (!this.isAllowed(origin)) throw new ForbiddenOriginError(origin ?? '');
  }
}
