import { ForbiddenOriginError } from './domain.errors';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(origin: string): string | undefined {
  try {
    return new URL(origin).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Browser-origin rules for the MCP routes. With `ALLOWED_ORIGINS` only those origins pass. Without
 * it, a server bound to a loopback address only accepts loopback origins (DNS-rebinding
 * protection); requests without an Origin header (non-browser clients) always pass.
 */
export class OriginPolicy {
  private readonly loopbackOnly: boolean;

  constructor(private readonly allowed: string[], bindHost: string) {
    this.loopbackOnly = allowed.length === 0 && LOCAL_HOSTS.has(bindHost);
  }

  isAllowed(origin: string | undefined): boolean {
    if (!origin) return true;
    if (this.allowed.length > 0) return this.allowed.includes(origin) || this.allowed.includes('*');
    if (this.loopbackOnly) {
      const host = hostnameOf(origin);
      return host !== undefined && LOCAL_HOSTS.has(host);
    }
    return true;
  }

  check(origin: string | undefined): void {
    if (!this.isAllowed(origin)) throw new ForbiddenOriginError(origin ?? '');
  }
}
