import { Inject, Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { integrationAppConfig, IntegrationAppConfig } from '../config/app.config';
import { IntegrationAppGateway, UpstreamAction } from './integration-app.gateway';
import { SchemaValidators } from '../tools/schema-validators';
import { buildToolCatalog, ToolCatalog } from './tool-catalog';
import { UpstreamError } from './upstream.error';

interface CacheEntry {
  catalog?: ToolCatalog;
  fetchedAt: number;
  inflight?: Promise<ToolCatalog>;
}

/** How long a catalog that missed some integrations (upstream trouble) is kept before refetching. */
const PARTIAL_TTL_MS = 10_000;

export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Per-identity tool catalogs: fetched once (all pages; action lists in parallel with bounded
 * concurrency), cached in an LRU of `CATALOG_MAX_ENTRIES` identities for `CATALOG_TTL_SECONDS`,
 * single-flight so concurrent sessions share one fetch, and refreshed in the background once stale.
 */
@Injectable()
export class CatalogService {
  private readonly logger = new Logger(CatalogService.name);
  /** Identity key → entry; `get` marks an entry most recently used, `set` evicts the least recently used. */
  private readonly cache: LRUCache<string, CacheEntry>;

  constructor(
    private readonly gateway: IntegrationAppGateway,
    @Inject(integrationAppConfig.KEY) private readonly config: IntegrationAppConfig,
    private readonly schemaValidators: SchemaValidators,
  ) {
    this.cache = new LRUCache<string, CacheEntry>({ max: config.catalogMaxEntries });
  }

  get cachedIdentities(): number {
    return this.cache.size;
  }

  /**
   * The catalog of an identity. `token` is used only when a fetch is needed; callers must have
   * established that the token belongs to `identityKey` before asking.
   */
  async get(identityKey: string, token: string): Promise<ToolCatalog> {
    const entry = this.cache.get(identityKey);
    if (entry) {
      if (entry.catalog) {
        const ttl = entry.catalog.partial ? PARTIAL_TTL_MS : this.config.catalogTtlSeconds * 1000;
        if (Date.now() - entry.fetchedAt < ttl) return entry.catalog;
        // Stale: serve it and refresh in the background (one refresh at a time).
        if (!entry.inflight) this.startFetch(identityKey, token, entry).catch(() => undefined);
        return entry.catalog;
      }
      if (entry.inflight) return entry.inflight;
    }
    const fresh: CacheEntry = { fetchedAt: 0 };
    this.cache.set(identityKey, fresh);
    return this.startFetch(identityKey, token, fresh);
  }

  /** Drops an identity's catalog, e.g. when a call reports that a connection or action is gone. */
  invalidate(identityKey: string): void {
    const entry = this.cache.peek(identityKey);
    if (entry && !entry.inflight) this.cache.delete(identityKey);
    else if (entry) entry.fetchedAt = 0;
  }

  /**
   * The identity's connections changed (an app was connected): forgets its catalog even while a
   * fetch is in flight, since that fetch may predate the change. Requests already waiting get that
   * fetch's answer; the next one starts a fresh fetch.
   */
  drop(identityKey: string): void {
    this.cache.delete(identityKey);
  }

  clear(): void {
    this.cache.clear();
  }

  private startFetch(identityKey: string, token: string, entry: CacheEntry): Promise<ToolCatalog> {
    const promise = this.fetch(token)
      .then((catalog) => {
        entry.catalog = catalog;
        entry.fetchedAt = Date.now();
        return catalog;
      })
      .catch((err: unknown) => {
        // A failed first fetch leaves nothing cached; a failed refresh keeps serving the stale copy.
        if (!entry.catalog && this.cache.peek(identityKey) === entry) this.cache.delete(identityKey);
        if (entry.catalog) this.logger.warn(`Background catalog refresh failed: ${(err as Error).message}`);
        throw err;
      })
      .finally(() => {
        entry.inflight = undefined;
      });
    entry.inflight = promise;
    return promise;
  }

  private async fetch(token: string): Promise<ToolCatalog> {
    // Connections and (when they fit one page) every action of the workspace, at the same time.
    const [connections, everyAction] = await Promise.all([this.gateway.listConnections(token), this.gateway.listAllActions(token).catch(() => undefined)]);
    const integrationIds = [...new Set(connections.filter((c) => !c.disconnected && !c.archived && c.integrationId).map((c) => c.integrationId))];
    if (everyAction) {
      const byIntegration = new Map<string, UpstreamAction[]>(integrationIds.map((id) => [id, []]));
      for (const action of everyAction) byIntegration.get(action.integrationId)?.push(action);
      return buildToolCatalog(connections, byIntegration, this.schemaValidators, false);
    }
    let partial = false;
    const lists = await mapWithConcurrency(integrationIds, this.config.catalogFetchConcurrency, async (id) => {
      try {
        return [id, await this.gateway.listActions(token, id)] as const;
      } catch (err) {
        // A bad token fails the whole catalog; trouble with one integration only hides its tools for a while.
        if (err instanceof UpstreamError && (err.kind === 'unauthorized' || err.kind === 'forbidden')) throw err;
        partial = true;
        this.logger.warn(`Could not list actions of integration ${id}: ${(err as Error).message}`);
        return [id, [] as UpstreamAction[]] as const;
      }
    });
    return buildToolCatalog(connections, new Map(lists), this.schemaValidators, partial);
  }
}
