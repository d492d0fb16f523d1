import { Injectable } from '@nestjs/common';
import { ConnectLink, ConnectLinkStore, ConsumeOutcome, graceMs } from './connect-link.store';

/** Links kept by one process at most (with every identity's own bound, memory stays bounded across tenants). */
const MAX_LINKS = 100_000;

/** Connect links in this process (one replica; `REDIS_URL` unset). */
@Injectable()
export class MemoryConnectLinkStore extends ConnectLinkStore {
  private readonly links = new Map<string, { link: ConnectLink; forgetAt: number }>();
  private readonly used = new Map<string, number>();
  private readonly handlers: Array<(identityKey: string) => void> = [];

  private sweep(now: number): void {
    for (const [id, entry] of this.links) if (entry.forgetAt <= now) this.links.delete(id);
    for (const [id, until] of this.used) if (until <= now) this.used.delete(id);
  }

  async create(link: ConnectLink, maxOpenPerIdentity: number): Promise<boolean> {
    const now = Date.now();
    this.sweep(now);
    if (this.links.size + this.used.size >= MAX_LINKS) return false;
    let open = 0;
    for (const { link: l } of this.links.values()) if (l.identityKey === link.identityKey && l.expiresAt > now) open++;
    if (open >= maxOpenPerIdentity) return false;
    this.links.set(link.id, { link, forgetAt: link.expiresAt + graceMs(link) });
    return true;
  }

  async consume(id: string): Promise<ConsumeOutcome> {
    const now = Date.now();
    const entry = this.links.get(id);
    if (!entry || entry.forgetAt <= now) {
      const until = this.used.get(id);
      return until !== undefined && until > now ? { state: 'used' } : { state: 'unknown' };
    }
    this.links.delete(id);
    this.used.set(id, entry.forgetAt);
    return entry.link.expiresAt <= now ? { state: 'expired' } : { state: 'ok', link: entry.link };
  }

  async publishChanged(identityKey: string): Promise<void> {
    for (const h of this.handlers) h(identityKey);
  }

  onChanged(handler: (identityKey: string) => void): void {
    this.handlers.push(handler);
  }
}
