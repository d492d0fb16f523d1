import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { appConfig, AppConfig, integrationAppConfig, IntegrationAppConfig } from '../config/app.config';
import type { Identity } from '../auth/identity';
import { mapWithConcurrency } from '../integrations/catalog.service';
import { IntegrationAppGateway, UpstreamAction } from '../integrations/integration-app.gateway';
import { buildNotConnectedTools } from '../integrations/tool-catalog';
import { UpstreamError } from '../integrations/upstream.error';
import { NotConnectedActions, NotConnectedTool } from '../tools/not-connected-actions.port';
import { allows, narrow } from '../tools/policy';
import { suggestNames } from '../tools/suggest-names';
import type { SourceTool, ToolContext, ToolView } from '../tools/tool-source';
import { ConnectLinkStore } from './connect-link.store';
import { ConnectService } from './connect.service';
import { ConnectTools } from './connect-tools';

/** Not-connected apps whose actions are read for one identity (the first ones `GET /integrations` lists). */
export const MAX_NOT_CONNECTED_APPS = 50;
/** Not-connected actions kept for one identity. */
export const MAX_NOT_CONNECTED_ACTIONS = 1000;
/** Not-connected actions kept across every identity on this replica (~0.9 KB each measured on catalog B: ~45 MB at most); the least recently used identities are evicted beyond it. */
export const MAX_CACHED_NOT_CONNECTED_ACTIONS = 50_000;
/** Action lists read at once for one identity when the workspace's actions do not fit one page. */
export const NOT_CONNECTED_FETCH_CONCURRENCY = 4;
/** How long a search waits for a cold identity's list before answering without it (the fetch goes on). */
export const NOT_CONNECTED_WAIT_MS = 3000;
/** How long a failed fetch is remembered (no new fetch meanwhile). */
const FAILED_TTL_MS = 10_000;

interface Entry {
  at: number;
  ttlMs: number;
  list: Promise<readonly NotConnectedTool[]>;
  /** Set once the fetch has settled. */
  tools?: readonly NotConnectedTool[];
  /** The previous list, served while a refresh is in flight. */
  stale?: readonly NotConnectedTool[];
}

/** The caller's view followed by not-connected actions: what search-actions ranks. */
class WidenedView implements ToolView {
  readonly tools: readonly SourceTool[];
  readonly apps: readonly string[];
  private readonly byName = new Map<string, SourceTool>();
  private readonly byAlias = new Map<string, SourceTool>();
  private readonly byApp = new Map<string, SourceTool[]>();

  constructor(
    private readonly base: ToolView,
    extra: readonly NotConnectedTool[],
  ) {
    this.tools = [...base.tools, ...extra];
    for (const t of extra) {
      this.byName.set(t.definition.name, t);
      for (const alias of t.aliases ?? []) if (!this.byAlias.has(alias.toLowerCase())) this.byAlias.set(alias.toLowerCase(), t);
      const key = t.app.toLowerCase();
      this.byApp.set(key, [...(this.byApp.get(key) ?? []), t]);
    }
    this.apps = [...new Set([...base.apps, ...extra.map((t) => t.app)])].sort();
  }

  resolve(nameOrAlias: string): SourceTool | undefined {
    return this.base.resolve(nameOrAlias) ?? this.byName.get(nameOrAlias) ?? this.byAlias.get(nameOrAlias.toLowerCase());
  }

  appTools(app: string): readonly SourceTool[] {
    const own = this.base.appTools(app);
    return own.length ? own : (this.byApp.get(app.toLowerCase()) ?? []);
  }

  suggest(text: string): string[] {
    return suggestNames(text, [...this.tools.map((t) => t.definition.name), ...this.apps]);
  }
}

/**
 * Actions of the workspace's apps the caller has not connected (SPEC §16), for `search-actions`
 * (`connected: false`) and for the run tools' "connect it first" answer.
 *
 * Fetched lazily, on the first search of an identity (or a run naming an action it cannot run),
 * never on `tools/list` or a call of a known tool: the workspace's integrations (ConnectService's
 * cache) and the customer's connections, then the actions of at most MAX_NOT_CONNECTED_APPS
 * not-connected apps — one request when the workspace's actions fit one page, else one per app, at
 * most NOT_CONNECTED_FETCH_CONCURRENCY at once — keeping at most MAX_NOT_CONNECTED_ACTIONS. Every
 * request uses the caller's own token, so Integration.app answers for the caller's workspace only.
 * Cached per identity for the catalog's TTL (CATALOG_TTL_SECONDS), single-flight (once stale, served
 * while one refresh runs; a failed refresh keeps it 10 s more), in one LRU bounded in identities
 * (CATALOG_MAX_ENTRIES) and in actions across all of them; dropped when the identity connects an app.
 *
 * Applies only where the caller can call connect-app (its mode lists it and its policy allows it),
 * and under the caller's policy and `apps`: a denied or read-only-excluded action is absent.
 */
@Injectable()
export class NotConnectedActionsService extends NotConnectedActions implements OnModuleInit {
  private readonly logger = new Logger(NotConnectedActionsService.name);
  private readonly cache: LRUCache<string, Entry>;
  private readonly widened = new WeakMap<ToolView, { from: readonly NotConnectedTool[]; view: WidenedView | undefined }>();
  private fetches = 0;

  constructor(
    private readonly connect: ConnectService,
    private readonly gateway: IntegrationAppGateway,
    private readonly tools: ConnectTools,
    private readonly store: ConnectLinkStore,
    @Inject(integrationAppConfig.KEY) private readonly upstream: IntegrationAppConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {
    super();
    this.cache = new LRUCache<string, Entry>({
      max: upstream.catalogMaxEntries,
      maxSize: MAX_CACHED_NOT_CONNECTED_ACTIONS,
      // Sized by what it holds: once settled its list, before that the list it serves meanwhile.
      sizeCalculation: (entry) => Math.max(1, (entry.tools ?? entry.stale)?.length ?? 1),
    });
  }

  onModuleInit(): void {
    // An identity that connected an app (seen by any replica) fetches its list again (nothing stale is served).
    this.store.onChanged((identityKey) => this.cache.delete(identityKey));
  }

  /** Identities cached, actions held, and fetches started since start (for tests and benches). */
  stats(): { identities: number; actions: number; fetches: number } {
    return { identities: this.cache.size, actions: this.cache.calculatedSize, fetches: this.fetches };
  }

  async widen(ctx: ToolContext, view: ToolView): Promise<ToolView | undefined> {
    if (!this.tools.offersConnectApp(ctx)) return undefined;
    const all = await this.listFor(ctx.identity, ctx.token, NOT_CONNECTED_WAIT_MS);
    if (!all.length) return undefined;
    const memo = this.widened.get(view);
    if (memo && memo.from === all) return memo.view;
    const visible = this.visible(ctx, view, all);
    const widened = visible.length ? new WidenedView(view, visible) : undefined;
    this.widened.set(view, { from: all, view: widened });
    return widened;
  }

  async find(ctx: ToolContext, view: ToolView, name: string): Promise<NotConnectedTool | undefined> {
    if (!this.tools.offersConnectApp(ctx) || typeof name !== 'string' || name.length > 200) return undefined;
    const widened = await this.widen(ctx, view);
    const tool = widened?.resolve(name);
    return tool && view.resolve(name) === undefined ? (tool as NotConnectedTool) : undefined;
  }

  /** The not-connected actions the caller may see: its policy and `apps`, apps it has connected left out. */
  private visible(ctx: ToolContext, view: ToolView, all: readonly NotConnectedTool[]): NotConnectedTool[] {
    const policy = narrow(this.app.toolPolicy, ctx.policy);
    const connected = new Set(view.apps.map((a) => a.toLowerCase()));
    return all.filter(
      (t) =>
        !connected.has(t.app.toLowerCase()) &&
        (ctx.apps === null || ctx.apps.includes(t.app)) &&
        allows(policy, t) &&
        view.resolve(t.definition.name) === undefined,
    );
  }

  /** The identity's not-connected actions: cached, or fetched (waiting at most `waitMs`; [] meanwhile). */
  private async listFor(identity: Identity, token: string, waitMs: number): Promise<readonly NotConnectedTool[]> {
    let entry = this.cache.get(identity.key);
    if (!entry || Date.now() - entry.at >= entry.ttlMs) entry = this.start(identity, token, entry?.tools ?? entry?.stale);
    const known = entry.tools ?? entry.stale;
    if (known) return known;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<readonly NotConnectedTool[]>((resolve) => {
      timer = setTimeout(() => resolve([]), waitMs);
      timer.unref();
    });
    try {
      return await Promise.race([entry.list, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private start(identity: Identity, token: string, stale?: readonly NotConnectedTool[]): Entry {
    this.fetches++;
    const entry: Entry = { at: Date.now(), ttlMs: this.upstream.catalogTtlSeconds * 1000, list: Promise.resolve([]), ...(stale ? { stale } : {}) };
    entry.list = this.fetch(identity, token).then(
      (tools) => this.settle(identity.key, entry, tools, entry.ttlMs),
      (err: unknown) => {
        this.logger.warn(`Could not list actions of apps not connected: ${String((err as Error)?.message).slice(0, 200)}`);
        return this.settle(identity.key, entry, entry.stale ?? [], FAILED_TTL_MS);
      },
    );
    this.cache.set(identity.key, entry);
    return entry;
  }

  /** Stores a settled fetch as a new entry (the LRU sizes an entry when it is set: by the actions it holds). */
  private settle(key: string, entry: Entry, tools: readonly NotConnectedTool[], ttlMs: number): readonly NotConnectedTool[] {
    entry.tools = tools;
    if (this.cache.peek(key) === entry) this.cache.set(key, { at: Date.now(), ttlMs, list: entry.list, tools });
    return tools;
  }

  private async fetch(identity: Identity, token: string): Promise<NotConnectedTool[]> {
    const [integrations, connections] = await Promise.all([this.connect.listIntegrations(identity, token), this.connect.listConnections(token)]);
    const connected = new Set(connections.map((c) => c.integrationKey));
    const apps = integrations.filter((i) => !connected.has(i.key)).slice(0, MAX_NOT_CONNECTED_APPS);
    if (!apps.length) return [];
    const wanted = new Set(apps.map((a) => a.id));
    const byIntegration = new Map<string, UpstreamAction[]>(apps.map((a) => [a.id, []]));
    // The workspace's actions in one request when they fit one page; else one request per app, bounded.
    const every = await this.gateway.listAllActions(token).catch(() => undefined);
    if (every) {
      for (const action of every) if (wanted.has(action.integrationId)) byIntegration.get(action.integrationId)!.push(action);
    } else {
      await mapWithConcurrency(apps, NOT_CONNECTED_FETCH_CONCURRENCY, async (app) => {
        try {
          byIntegration.set(app.id, await this.gateway.listActions(token, app.id));
        } catch (err) {
          if (err instanceof UpstreamError && (err.kind === 'unauthorized' || err.kind === 'forbidden')) throw err;
          this.logger.debug(`Could not list actions of ${app.key}: ${String((err as Error)?.message).slice(0, 200)}`);
        }
      });
    }
    return buildNotConnectedTools(apps, byIntegration, MAX_NOT_CONNECTED_ACTIONS);
  }
}
