import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import http from 'node:http';
import https from 'node:https';
import { IntegrationAppClient } from '@integration-app/sdk';
import { integrationAppConfig, IntegrationAppConfig } from '../config/app.config';
import { redactSecrets } from '../common/redact';
import {
  IntegrationAppGateway,
  RunActionOptions,
  SearchActionsOptions,
  UpstreamAction,
  UpstreamConnection,
  UpstreamIntegration,
  UpstreamSelf,
} from './integration-app.gateway';
import { leanHttpAdapter } from './lean-http.adapter';
import { parseRetryAfter, SdkErrorData, taggedStatus, transformResponse } from './sdk-error-status';
import { UpstreamError, UpstreamErrorKind } from './upstream.error';
import { UpstreamObserver, UpstreamOperation } from './upstream.observer';
import { UpstreamSpanAttributes, UpstreamTracer } from './upstream.tracer';

const PAGE_LIMIT = 1000;
const MAX_PAGES = 10_000;

interface Page<T> {
  items?: T[];
  cursor?: string | null;
}

interface RawConnection {
  id: string;
  name?: string;
  integrationId?: string;
  integration?: { id?: string; key?: string; name?: string };
  disconnected?: boolean;
  archivedAt?: string | null;
  isDeactivated?: boolean;
  isArchived?: boolean;
}

interface RawIntegration {
  id?: string;
  key?: string;
  name?: string;
  logoUri?: string;
  archivedAt?: string | null;
  isDeactivated?: boolean;
}

interface RawAction {
  id: string;
  key: string;
  name?: string;
  description?: string;
  integrationId?: string;
  integration?: { id?: string };
  inputSchema?: unknown;
  type?: unknown;
  isDeactivated?: boolean;
  archivedAt?: string | null;
  isArchived?: boolean;
}

interface AxiosLikeError {
  isAxiosError?: boolean;
  code?: string;
  message?: string;
  response?: { status?: number; headers?: Record<string, unknown>; data?: unknown };
}

function toUpstreamActions(raw: RawAction[], integrationId: string): UpstreamAction[] {
  return raw
    .filter((a) => a && typeof a.key === 'string')
    .map((a) => ({
      id: a.id,
      key: a.key,
      name: a.name ?? a.key,
      description: typeof a.description === 'string' ? a.description : undefined,
      integrationId: a.integrationId ?? a.integration?.id ?? integrationId,
      inputSchema: a.inputSchema,
      ...(typeof a.type === 'string' ? { type: a.type.slice(0, 64) } : {}),
      deactivated: a.isDeactivated === true,
      archived: !!a.archivedAt || a.isArchived === true,
      ...(typeof a.type === 'string' ? { type: a.type } : {}),
    }));
}

function kindFromStatus(status: number | undefined): UpstreamErrorKind {
  if (status === undefined) return 'unavailable';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'bad_request';
}

/**
 * Classifies whatever the SDK threw. Structured Integration.app errors (`{type, key, message}`)
 * are read by type and key; anything else by HTTP status or network error code. The result
 * never holds the axios error itself (its config carries the Authorization header).
 */
export function toUpstreamError(err: unknown, token: string, what: string): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const e = err as { isIntegrationAppError?: boolean; data?: SdkErrorData } & AxiosLikeError;
  const safeCause = (msg: string, code?: string) => Object.assign(new Error(redactSecrets(msg, token)), code ? { code } : {});

  if (e?.isIntegrationAppError && e.data) {
    const { type, key } = e.data;
    const { status, retryAfter } = taggedStatus(e.data);
    const retryAfterSeconds = parseRetryAfter(retryAfter);
    const message = redactSecrets(String(e.data.message ?? e.message ?? 'Integration.app returned an error'), token);
    let kind: UpstreamErrorKind;
    if (key === 'not_authenticated') kind = 'unauthorized';
    else if (key === 'access_denied') kind = 'forbidden';
    else if (key === 'not_found') kind = 'not_found';
    else if (key === 'rate_limit_exceeded') kind = 'rate_limited';
    else if (type === 'connection') kind = 'connection';
    else if (status !== undefined && (status === 401 || status === 403 || status === 404 || status === 429 || status >= 500)) kind = kindFromStatus(status);
    else if (type === 'action_run' || type === 'custom_code' || type === 'unit_run' || type === 'flow_run') kind = 'action_failed';
    else if (type === 'internal') kind = 'unavailable';
    else kind = 'bad_request';
    return new UpstreamError(message, {
      kind,
      upstreamStatus: status,
      upstreamType: type,
      upstreamKey: key,
      retryAfterSeconds,
      cause: safeCause(message),
    });
  }

  if (e?.isAxiosError || e?.response || e?.code) {
    const status = e.response?.status;
    const code = e.code;
    if (!e.response) {
      if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') {
        return new UpstreamError(`Integration.app did not answer ${what} in time`, { kind: 'timeout', cause: safeCause(String(e.message), code) });
      }
      return new UpstreamError(`Integration.app is unreachable (${code ?? 'network error'}) while ${what}`, {
        kind: 'unavailable',
        cause: safeCause(String(e.message), code),
      });
    }
    const kind = kindFromStatus(status);
    const retryAfterSeconds = parseRetryAfter(e.response.headers?.['retry-after']);
    const body = e.response.data;
    const bodyMessage =
      body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string'
        ? redactSecrets((body as { message: string }).message, token)
        : undefined;
    const message = bodyMessage ?? `Integration.app answered HTTP ${status} while ${what}`;
    return new UpstreamError(message, { kind, upstreamStatus: status, retryAfterSeconds, cause: safeCause(`HTTP ${status}`, code) });
  }

  const message = err instanceof Error ? err.message : String(err);
  return new UpstreamError(`Unexpected failure while ${what}: ${redactSecrets(message, token)}`, {
    kind: 'unavailable',
    cause: safeCause(message),
  });
}

/**
 * axios looks up HTTP(S)_PROXY / ALL_PROXY (and npm's variants) in the environment on every
 * request; when none is set, `proxy: false` says so once (about 2 % of a `tools/call`'s CPU).
 */
export function proxyFromEnvironment(env: NodeJS.ProcessEnv = process.env): false | undefined {
  return Object.keys(env).some((k) => /(^|_)(https?|all)_proxy$/i.test(k) && env[k]) ? undefined : false;
}

/** `url.template` of a request path: the ids in it named instead of given (a span name must not vary per id). */
export function urlTemplate(path: string): string {
  return path
    .replace(/^\/connections\/[^/]+\/actions\/[^/]+\/run$/, '/connections/{connectionId}/actions/{actionKey}/run')
    .replace(/^\/integrations\/[^/]+$/, '/integrations/{integrationId}');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

/**
 * Keep-alive sockets to Integration.app. axios sets a 60 s TCP keep-alive probe on every request's
 * socket; an agent with the same `keepAliveMsecs` keeps Node from switching it back and forth (two
 * setsockopt calls per request with the default agent's 1 s).
 */
const AGENT_OPTIONS = { keepAlive: true, keepAliveMsecs: 60_000, scheduling: 'lifo' as const, timeout: 5_000 };

/** The `IntegrationAppGateway` backed by the official `@integration-app/sdk` client. */
@Injectable()
export class SdkIntegrationAppGateway extends IntegrationAppGateway implements OnApplicationShutdown {
  private readonly logger = new Logger(SdkIntegrationAppGateway.name);
  private readonly httpAgent = new http.Agent(AGENT_OPTIONS);
  private readonly httpsAgent = new https.Agent(AGENT_OPTIONS);

  constructor(
    @Inject(integrationAppConfig.KEY) private readonly config: IntegrationAppConfig,
    private readonly observer: UpstreamObserver,
    @Optional() private readonly tracer: UpstreamTracer = new UpstreamTracer(),
  ) {
    super();
  }

  /** Last in the teardown (not at module destroy): runs that outlived their request may still finish during the shutdown. */
  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /**
   * Times one upstream request for the observer (metrics) and, when tracing is on, runs it as a
   * CLIENT span whose `traceparent` goes out with the request (`fn` adds the headers it is given).
   */
  private async observed<T>(
    operation: UpstreamOperation,
    request: { method: 'GET' | 'POST'; path: string },
    fn: (headers?: Record<string, string>) => Promise<T>,
    token: string,
    what: string,
  ): Promise<T> {
    const started = performance.now();
    try {
      const result = await (this.tracer.enabled ? this.traced(operation, request, fn, token, what) : fn());
      this.observer.record(operation, 'ok', performance.now() - started);
      return result;
    } catch (err) {
      const error = toUpstreamError(err, token, what);
      this.observer.record(operation, error.kind, performance.now() - started);
      throw error;
    }
  }

  private serverAttributes?: UpstreamSpanAttributes;

  private traced<T>(
    operation: UpstreamOperation,
    request: { method: 'GET' | 'POST'; path: string },
    fn: (headers?: Record<string, string>) => Promise<T>,
    token: string,
    what: string,
  ): Promise<T> {
    if (!this.serverAttributes) {
      const api = new URL(this.config.apiUrl);
      this.serverAttributes = { 'server.address': api.hostname, 'server.port': Number(api.port) || (api.protocol === 'https:' ? 443 : 80) };
    }
    const template = urlTemplate(request.path);
    return this.tracer.inClientSpan(
      `${request.method} ${template}`,
      { 'http.request.method': request.method, 'url.template': template, ...this.serverAttributes, 'integration_app.operation': operation },
      fn,
      (err) => {
        const error = toUpstreamError(err, token, what);
        return { 'error.type': error.kind, 'http.response.status_code': error.upstreamStatus };
      },
    );
  }

  private client(token: string): IntegrationAppClient {
    return new IntegrationAppClient({ apiUri: this.config.apiUrl, token });
  }

  /**
   * What every request passes to axios: keep-alive agents; no redirects (the API does not redirect,
   * and without them axios skips its follow-redirects wrapper); our response transform; and, when no
   * proxy variable is set, `proxy: false` with the lean adapter (axios' own adapter otherwise).
   */
  private readonly wire = {
    ...(proxyFromEnvironment() === false ? { proxy: false as const, adapter: leanHttpAdapter() } : {}),
    httpAgent: this.httpAgent,
    httpsAgent: this.httpsAgent,
    maxRedirects: 0,
    transformResponse: [transformResponse],
  };

  /** axios options of one request: its own timeout (no per-request timer), the caller's abort signal and trace headers when there are. */
  private requestOptions(timeoutMs: number, signal?: AbortSignal, headers?: Record<string, string>) {
    return { ...this.wire, timeout: timeoutMs, ...(signal ? { signal } : {}), ...(headers ? { headers } : {}) };
  }

  /** An idempotent GET with timeout per attempt and retries with exponential backoff and jitter. */
  private async read<T>(
    operation: UpstreamOperation,
    token: string,
    path: string,
    query: Record<string, string | number | undefined>,
    what: string,
  ): Promise<T> {
    const attempts = this.config.upstreamRetries + 1;
    let lastError: UpstreamError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        return await this.observed(
          operation,
          { method: 'GET', path },
          async (headers) => (await this.client(token).get(path, query, this.requestOptions(this.config.upstreamTimeoutMs, undefined, headers))) as T,
          token,
          what,
        );
      } catch (err) {
        lastError = toUpstreamError(err, token, what);
        if (!lastError.retryable || attempt === attempts - 1) break;
        const backoff = Math.min(2000, 100 * 2 ** attempt) + Math.floor(Math.random() * 50);
        const wait = lastError.retryAfterSeconds !== undefined ? Math.min(5000, lastError.retryAfterSeconds * 1000) : backoff;
        this.logger.warn(`Retrying upstream read (${what}) after ${lastError.kind}; attempt ${attempt + 2}/${attempts} in ${wait} ms`);
        await sleep(wait);
      }
    }
    throw lastError!;
  }

  private async readAllPages<T>(
    operation: UpstreamOperation,
    token: string,
    path: string,
    query: Record<string, string>,
    what: string,
    maxItems = Infinity,
  ): Promise<T[]> {
    const all: T[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.read<Page<T>>(operation, token, path, { ...query, limit: PAGE_LIMIT, cursor }, what);
      if (Array.isArray(result?.items)) all.push(...result.items);
      const next = result?.cursor ? String(result.cursor) : undefined;
      if (!next || next === cursor || all.length >= maxItems) return all.length > maxItems ? all.slice(0, maxItems) : all;
      cursor = next;
    }
    throw new UpstreamError(`Integration.app returned more than ${MAX_PAGES} pages while ${what}`, { kind: 'unavailable' });
  }

  async getSelf(token: string): Promise<UpstreamSelf> {
    try {
      const self = await this.read<Record<string, unknown> | null>('self', token, '/self', {}, 'checking the access token');
      return { id: typeof self?.id === 'string' ? self.id : undefined, name: typeof self?.name === 'string' ? self.name : undefined };
    } catch (err) {
      // An API without /self: a one-item read of the customer's connections proves the token as well.
      if (!(err instanceof UpstreamError) || err.kind !== 'not_found') throw err;
      await this.read('self', token, '/connections', { limit: 1 }, 'checking the access token');
      return {};
    }
  }

  async listConnections(token: string): Promise<UpstreamConnection[]> {
    const raw = (await this.readAllPages<RawConnection>('list_connections', token, '/connections', {}, 'listing connections')).filter(
      (c) => c && typeof c.id === 'string',
    );
    // Connections normally embed their integration; when one does not, read the integration once.
    const missing = [...new Set(raw.filter((c) => !c.integration?.key && c.integrationId).map((c) => c.integrationId as string))];
    const looked = new Map<string, RawIntegration>();
    await Promise.all(
      missing.map(async (id) => {
        try {
          looked.set(id, await this.read<RawIntegration>('list_connections', token, `/integrations/${encodeURIComponent(id)}`, {}, 'reading an integration'));
        } catch (err) {
          if (err instanceof UpstreamError && (err.kind === 'unauthorized' || err.kind === 'forbidden')) throw err;
          this.logger.warn(`Integration ${id} could not be read: ${(err as Error).message}`);
        }
      }),
    );
    return raw.map((c) => {
      const integration = c.integration?.key ? c.integration : { ...looked.get(c.integrationId ?? ''), ...c.integration };
      return {
        id: c.id,
        name: c.name ?? integration?.name ?? c.id,
        integrationId: integration?.id ?? c.integrationId ?? '',
        integrationKey: integration?.key ?? '',
        integrationName: integration?.name ?? integration?.key ?? '',
        disconnected: c.disconnected === true,
        archived: !!c.archivedAt || c.isArchived === true || c.isDeactivated === true,
      };
    });
  }

  /**
   * `GET /integrations` page by page, the request `client.integrations.find({ search, limit, cursor })`
   * makes (read through the client's `get` like every other read here, for the keep-alive agents,
   * timeouts, retries and trace headers).
   */
  async listIntegrations(token: string, options: { search?: string; limit?: number } = {}): Promise<UpstreamIntegration[]> {
    const query: Record<string, string> = options.search ? { search: options.search } : {};
    const raw = await this.readAllPages<RawIntegration>('list_integrations', token, '/integrations', query, 'listing integrations', options.limit);
    return raw
      .filter((i) => i && typeof i.key === 'string' && i.key !== '' && !i.archivedAt && i.isDeactivated !== true)
      .map((i) => ({
        id: typeof i.id === 'string' ? i.id : i.key!,
        key: i.key!,
        name: typeof i.name === 'string' && i.name ? i.name : i.key!,
        ...(typeof i.logoUri === 'string' && i.logoUri ? { logoUri: i.logoUri } : {}),
      }));
  }

  /** One page of the workspace's actions (every integration); undefined when there are more pages. */
  override async listAllActions(token: string): Promise<UpstreamAction[] | undefined> {
    const page = await this.read<Page<RawAction>>('list_actions', token, '/actions', { limit: PAGE_LIMIT }, 'listing actions');
    if (page?.cursor || !Array.isArray(page?.items)) return undefined;
    return toUpstreamActions(page.items, '');
  }

  async listActions(token: string, integrationId: string): Promise<UpstreamAction[]> {
    const raw = await this.readAllPages<RawAction>('list_actions', token, '/actions', { integrationId }, 'listing actions');
    return toUpstreamActions(raw, integrationId);
  }

  /** Integration.app's action search by intent: one page, one attempt (the caller falls back on failure). */
  override async searchActions(token: string, intent: string, options: SearchActionsOptions = {}): Promise<UpstreamAction[] | undefined> {
    const query: Record<string, string | number> = { intent, limit: options.limit ?? 20 };
    if (options.connectionId) query.connectionId = options.connectionId;
    const page = (await this.observed(
      'list_actions',
      { method: 'GET', path: '/actions' },
      async (headers) => this.client(token).get('/actions', query, this.requestOptions(options.timeoutMs ?? this.config.upstreamTimeoutMs, undefined, headers)),
      token,
      'searching actions',
    )) as Page<RawAction> | undefined;
    return Array.isArray(page?.items) ? toUpstreamActions(page.items, '') : [];
  }

  /**
   * An id or key as one URL path segment. `encodeURIComponent` leaves `.` and `..` as they are, and
   * URL resolution would turn them into "this folder" / "the folder above" (`/connections/../actions/x/run`),
   * so those and the empty string are refused before any request is made.
   */
  private static pathSegment(value: string, what: string): string {
    if (typeof value !== 'string' || value === '' || value === '.' || value === '..') {
      throw new UpstreamError(`Invalid ${what} ${JSON.stringify(value)}: it must be a non-empty id other than "." or ".."`, { kind: 'bad_request' });
    }
    return encodeURIComponent(value);
  }

  async runAction(token: string, connectionId: string, actionKey: string, input: unknown, options: RunActionOptions = {}): Promise<unknown> {
    const timeoutMs = options.timeoutMs ?? this.config.actionTimeoutMs;
    const connection = SdkIntegrationAppGateway.pathSegment(connectionId, 'connection id');
    const action = SdkIntegrationAppGateway.pathSegment(actionKey, 'action key');
    const path = `/connections/${connection}/actions/${action}/run`;
    const response = (await this.observed(
      'run_action',
      { method: 'POST', path },
      (headers) => this.client(token).post(path, input ?? {}, this.requestOptions(timeoutMs, options.signal, headers)),
      token,
      `running ${actionKey}`,
    )) as { output?: unknown } | null | undefined;
    return response && typeof response === 'object' && 'output' in response ? response.output : response;
  }
}
