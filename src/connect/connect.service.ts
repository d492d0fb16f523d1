import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { appConfig, AppConfig, connectConfig, ConnectConfig, integrationAppConfig, IntegrationAppConfig } from '../config/app.config';
import type { Identity } from '../auth/identity';
import { CatalogService } from '../integrations/catalog.service';
import { IntegrationAppGateway, UpstreamConnection, UpstreamIntegration } from '../integrations/integration-app.gateway';
import { UpstreamError } from '../integrations/upstream.error';
import { ToolRegistry } from '../tools/tool-registry';
import { ConnectLink, ConnectLinkStore, LINK_ID, newLinkId } from './connect-link.store';
import { CONNECT_TOKEN_SECONDS, customerNameOf, mintCustomerToken } from './customer-token';

/** The most integrations read for one workspace (bounded memory and work per request). */
export const MAX_INTEGRATIONS = 2000;
/** How long a workspace's integration list is reused. */
const INTEGRATIONS_TTL_MS = 60_000;
/** Connection watchers running at once on this replica, across identities. */
const MAX_WATCHERS = 1000;
/** Known connection ids kept in a link (enough to spot a new one; an app rarely has more). */
const MAX_KNOWN_CONNECTIONS = 100;

/** An app appeared for an identity: its catalog was dropped on every replica. */
export interface AppConnected {
  identityKey: string;
  app: string;
  /** The session whose connect-app made the link, if any (session era). */
  sessionId?: string;
}

export type IssueOutcome =
  { state: 'created'; link: ConnectLink; url: string } | { state: 'too_many' } | { state: 'no_secret' } | { state: 'no_origin' } | { state: 'unavailable' };

/** What `GET /connect/<id>` answers. */
export type OpenOutcome = { status: 302; location: string } | { status: 404 | 410 | 503; title: string; message: string };

interface Watcher {
  timer: NodeJS.Timeout;
  deadline: number;
}

/**
 * Connect links (SPEC §16): makes them for connect-app, opens them for `GET /connect/<id>` (a
 * redirect to the Integration.app connection page with a customer token minted for at most 15
 * minutes), and then watches the customer's connections for a bounded time so that the new app's
 * tools appear at once: the identity's catalog is dropped on every replica and the asking session
 * is told (see `onAppConnected`).
 */
@Injectable()
export class ConnectService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ConnectService.name);
  private readonly integrations = new LRUCache<string, { at: number; list: Promise<UpstreamIntegration[]> }>({ max: 1000 });
  private readonly watchers = new Map<string, Watcher>();
  private readonly listeners: Array<(event: AppConnected) => void> = [];

  constructor(
    private readonly gateway: IntegrationAppGateway,
    private readonly catalogs: CatalogService,
    private readonly store: ConnectLinkStore,
    @Inject(connectConfig.KEY) private readonly config: ConnectConfig,
    @Inject(integrationAppConfig.KEY) private readonly upstream: IntegrationAppConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly registry: ToolRegistry,
  ) {}

  onModuleInit(): void {
    // Whichever replica saw the connection appear, every replica drops its copy of the catalog.
    this.store.onChanged((identityKey) => this.catalogs.drop(identityKey));
  }

  onModuleDestroy(): void {
    for (const w of this.watchers.values()) clearTimeout(w.timer);
    this.watchers.clear();
  }

  /** Called when a watched app appeared (the transports send `notifications/tools/list_changed`). */
  onAppConnected(listener: (event: AppConnected) => void): void {
    this.listeners.push(listener);
  }

  get canMintTokens(): boolean {
    return !!this.upstream.workspaceSecret;
  }

  /** The workspace's integrations (cached a minute per workspace; single-flight). */
  async listIntegrations(identity: Identity, token: string): Promise<UpstreamIntegration[]> {
    const cached = this.integrations.get(identity.workspaceKey);
    if (cached && Date.now() - cached.at < INTEGRATIONS_TTL_MS) return cached.list;
    const list = this.gateway.listIntegrations(token, { limit: MAX_INTEGRATIONS });
    this.integrations.set(identity.workspaceKey, { at: Date.now(), list });
    list.catch(() => {
      if (this.integrations.peek(identity.workspaceKey)?.list === list) this.integrations.delete(identity.workspaceKey);
    });
    return list;
  }

  /** The customer's usable connections (not disconnected, not archived). */
  async listConnections(token: string): Promise<UpstreamConnection[]> {
    return (await this.gateway.listConnections(token)).filter((c) => !c.disconnected && !c.archived);
  }

  /** Makes a link for the caller and one app; refused when the caller holds too many open links. */
  async issue(
    caller: { identity: Identity; token: string; sessionId?: string; origin?: string },
    integration: UpstreamIntegration,
    options: { multiple: boolean; knownConnections: string[] },
  ): Promise<IssueOutcome> {
    if (!this.canMintTokens) return { state: 'no_secret' };
    const base = this.app.publicUrl ?? caller.origin;
    if (!base) return { state: 'no_origin' };
    const now = Date.now();
    const link: ConnectLink = {
      id: newLinkId(),
      identityKey: caller.identity.key,
      workspaceKey: caller.identity.workspaceKey,
      customerId: caller.identity.customerId,
      customerName: customerNameOf(caller.token),
      app: integration.key,
      appName: integration.name,
      multiple: options.multiple,
      ...(caller.sessionId ? { sessionId: caller.sessionId } : {}),
      knownConnections: options.knownConnections.slice(0, MAX_KNOWN_CONNECTIONS),
      createdAt: now,
      expiresAt: now + this.config.linkTtlSeconds * 1000,
    };
    let created: boolean;
    try {
      created = await this.store.create(link, this.config.linksPerIdentity);
    } catch (err) {
      this.logger.warn(`Could not store a connect link: ${(err as Error).message}`);
      return { state: 'unavailable' };
    }
    if (!created) return { state: 'too_many' };
    return { state: 'created', link, url: `${base}/connect/${link.id}` };
  }

  /**
   * Opens a link (once): mints a customer token for the link's customer, good for 15 minutes, and
   * answers the redirect to the Integration.app connection page; starts watching the customer's
   * connections. Used and expired links answer 410, unknown ones 404.
   */
  async open(id: string, requestId?: string): Promise<OpenOutcome> {
    if (typeof id !== 'string' || !LINK_ID.test(id)) return notFound();
    let outcome: Awaited<ReturnType<ConnectLinkStore['consume']>>;
    try {
      outcome = await this.store.consume(id);
    } catch (err) {
      this.logger.warn(`Could not read a connect link: ${(err as Error).message}`);
      return { status: 503, title: 'Try again', message: 'Connect links cannot be read right now. Try again in a moment.' };
    }
    if (outcome.state === 'unknown') return notFound();
    if (outcome.state === 'used') {
      return { status: 410, title: 'Link already used', message: 'This connect link was already opened. Ask the assistant for a new one.' };
    }
    if (outcome.state === 'expired') {
      return { status: 410, title: 'Link expired', message: 'This connect link has expired. Ask the assistant for a new one.' };
    }
    const link = outcome.link;
    const secret = this.upstream.workspaceSecret;
    if (!secret) return { status: 503, title: 'Cannot connect', message: 'This server cannot open connection pages (no workspace secret).' };
    const { token, expiresAt } = await mintCustomerToken({
      workspaceKey: link.workspaceKey,
      secret,
      customerId: link.customerId,
      name: link.customerName,
      seconds: CONNECT_TOKEN_SECONDS,
    });
    this.watch(link, token, expiresAt);
    // Audited like a tool call, under the identity that asked for the link: the app, never the link id or the token.
    this.registry.auditStep(
      { identity: { key: link.identityKey, workspaceKey: link.workspaceKey, customerId: link.customerId }, requestId },
      { tool: 'connect-link', integration: link.app, source: 'connect' },
      'success',
    );
    const query = new URLSearchParams({ token, ...(link.multiple ? { allowMultipleConnections: '1' } : {}) });
    return { status: 302, location: `${this.config.uiUrl}/embed/integrations/${encodeURIComponent(link.app)}/connect?${query.toString()}` };
  }

  /**
   * Polls the customer's connections (with the token minted for the page, never longer than it
   * lives) until a connection of the link's app that was not there before appears, for at most
   * `CONNECT_WATCH_SECONDS`. One watcher per identity and app; at most ${MAX_WATCHERS} per replica.
   */
  private watch(link: ConnectLink, token: string, tokenExpiresAt: number): void {
    if (this.config.watchSeconds === 0) return;
    const key = `${link.identityKey}\u0000${link.app}`;
    const deadline = Math.min(Date.now() + this.config.watchSeconds * 1000, tokenExpiresAt - 5000);
    const existing = this.watchers.get(key);
    if (existing) clearTimeout(existing.timer);
    else if (this.watchers.size >= MAX_WATCHERS) {
      this.logger.warn(
        `Not watching for a new connection: ${MAX_WATCHERS} watchers already run on this replica (the app appears at the next catalog refresh).`,
      );
      return;
    }
    const known = new Set(link.knownConnections);
    const tick = async () => {
      const watcher = this.watchers.get(key);
      if (!watcher) return;
      try {
        const found = (await this.listConnections(token)).some((c) => c.integrationKey === link.app && !known.has(c.id));
        if (this.watchers.get(key) !== watcher) return;
        if (found) {
          this.watchers.delete(key);
          await this.announce({ identityKey: link.identityKey, app: link.app, sessionId: link.sessionId });
          return;
        }
      } catch (err) {
        if (err instanceof UpstreamError && (err.kind === 'unauthorized' || err.kind === 'forbidden')) {
          this.watchers.delete(key);
          return;
        }
        this.logger.debug(`Watching connections of ${link.app}: ${(err as Error).message}`);
      }
      if (Date.now() + this.config.watchIntervalMs > watcher.deadline) {
        this.watchers.delete(key);
        return;
      }
      watcher.timer = setTimeout(() => void tick(), this.config.watchIntervalMs);
      watcher.timer.unref();
    };
    const watcher: Watcher = { timer: setTimeout(() => void tick(), this.config.watchIntervalMs), deadline };
    watcher.timer.unref();
    this.watchers.set(key, watcher);
  }

  /** Drops the identity's catalog on every replica, then tells the listeners. */
  private async announce(event: AppConnected): Promise<void> {
    try {
      await this.store.publishChanged(event.identityKey);
    } catch (err) {
      this.logger.warn(`Could not tell the other replicas that ${event.app} was connected: ${(err as Error).message}`);
      this.catalogs.drop(event.identityKey);
    }
    this.logger.log(`App ${event.app} connected for identity ${event.identityKey.slice(0, 12)}; its tools are listed from now on`);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.warn(`A listener of connected apps failed: ${(err as Error).message}`);
      }
    }
  }

  /** Watchers running on this replica (for tests and metrics). */
  get watching(): number {
    return this.watchers.size;
  }
}

function notFound(): OpenOutcome {
  return { status: 404, title: 'Unknown link', message: 'This connect link does not exist. Ask the assistant for a new one.' };
}
