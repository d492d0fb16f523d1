/**
 * A local HTTP emulator of the part of the Integration.app REST API that the server's
 * `@integration-app/sdk` calls use: GET /self, GET /connections, GET /actions (cursor pagination),
 * POST /connections/{id|integrationKey}/actions/{key}/run, GET /integrations (cursor pagination, `search`).
 * Tokens are verified as HS256/HS512 JWTs with the workspace secret. Latency and faults can be
 * injected; every request is recorded. It also serves the connection page of the Integration.app UI
 * (`/embed/integrations/<key>/connect?token=…`, what the SDK's `openNewConnection` opens): a form
 * whose button creates a connection for the token's customer, so the emulator's URL works as
 * `INTEGRATION_APP_UI_URL` too.
 * Test infrastructure only: the production AppModule never imports it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { customerToken, JwtAlg } from '../support/jwt';
import type { ActionFixture, ConnectionFixture, CustomerFixture, Fixture, IntegrationFixture, WorkspaceFixture } from './fixture.types';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  fixture?: Fixture;
  latencyMs?: number;
  /** Largest page served (the client's `limit` is honoured below it). */
  pageSize?: number;
  /** Mimic a sparser API: connections carry only `integrationId` (GET /integrations/{id} has the rest). */
  connectionsWithoutIntegration?: boolean;
  /** Mimic an API without GET /self (404). */
  withoutSelf?: boolean;
  /** How long an idle keep-alive socket stays open (Node's default is 5 s; a server under valgrind can be idle that long between calls). */
  keepAliveTimeoutMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  workspaceKey?: string;
  customerId?: string;
  /** The bearer token the request carried (to assert which token the server used). */
  token?: string;
  authorized: boolean;
  at: number;
  /** The client's source port: requests on one keep-alive connection share it. */
  remotePort?: number;
  userAgent?: string;
  /** The W3C trace-context headers the request carried (only those, and only when present). */
  headers?: { traceparent?: string; tracestate?: string };
  /** The client went away before the answer was sent (e.g. the server aborted a cancelled call). */
  abandoned?: boolean;
}

export interface FaultRule {
  method?: string;
  /** Matched against the pathname: a string is a prefix. */
  path?: string | RegExp;
  times?: number;
  status?: number;
  body?: unknown;
  /** Sent as text/html, like a proxy's error page. */
  rawBody?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Destroy the socket without answering. */
  networkError?: boolean;
}

export interface Emulator {
  url: string;
  port: number;
  requests: RecordedRequest[];
  clearRequests(): void;
  addFault(rule: FaultRule): () => void;
  clearFaults(): void;
  setLatency(ms: number): void;
  fixture: Fixture;
  setFixture(f: Fixture): void;
  token(customerId: string, opts?: { workspaceKey?: string; expiresInSeconds?: number; alg?: JwtAlg }): string;
  close(): Promise<void>;
}

interface Caller {
  workspace: WorkspaceFixture;
  customerId: string;
  customer?: CustomerFixture;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; key?: string; message: string },
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

const notFound = (message: string) => new HttpError(404, { type: 'bad_request', key: 'not_found', message });
const unauthenticated = (message: string) => new HttpError(401, { type: 'bad_request', key: 'not_authenticated', message });
const STAMP = '2025-01-01T00:00:00.000Z';

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A small HTML page (the emulated connection UI). `title` is already escaped. */
function page(res: ServerResponse, status: number, title: string, body: string): void {
  if (res.headersSent || res.destroyed) return;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html), 'Cache-Control': 'no-store' });
  res.end(html);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 5 * 1024 * 1024) reject(new HttpError(413, { type: 'bad_request', message: 'Body too large' }));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function paginate<T>(items: T[], query: Record<string, string>, pageSize: number): { items: T[]; cursor?: string } {
  const offset = Math.max(0, Number.parseInt(query.cursor ?? '0', 10) || 0);
  const limit = Math.max(1, Math.min(pageSize, Number.parseInt(query.limit ?? '100', 10) || 100));
  const page = items.slice(offset, offset + limit);
  const next = offset + limit;
  return next < items.length ? { items: page, cursor: String(next) } : { items: page };
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  let fixture: Fixture = opts.fixture ?? { workspaces: [] };
  let latencyMs = opts.latencyMs ?? 0;
  const pageSize = opts.pageSize ?? 1000;
  const requests: RecordedRequest[] = [];
  let faults: Array<FaultRule & { remaining: number }> = [];
  const sockets = new Set<Socket>();

  const findWorkspace = (key: string) => fixture.workspaces.find((w) => w.key === key);
  /** Tokens already verified (keeps the emulator cheap under benchmark load); expiry is re-checked. */
  const verified = new Map<string, { workspaceKey: string; customerId: string; exp?: number }>();

  function authenticate(req: IncomingMessage): Caller {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthenticated('Missing access token');
    return verifyToken(match[1]);
  }

  function verifyToken(token: string): Caller {
    const known = verified.get(token);
    const knownWorkspace = known && findWorkspace(known.workspaceKey);
    if (known && knownWorkspace && (known.exp === undefined || known.exp * 1000 >= Date.now())) {
      return { workspace: knownWorkspace, customerId: known.customerId, customer: knownWorkspace.customers.find((c) => c.id === known.customerId) };
    }
    const parts = token.split('.');
    if (parts.length !== 3) throw unauthenticated('Access token is not a JWT');
    const head = decodeJson(parts[0]);
    const claims = decodeJson(parts[1]);
    if (!head || !claims) throw unauthenticated('Access token is not a valid JWT');
    const alg = head.alg === 'HS256' ? 'sha256' : head.alg === 'HS512' ? 'sha512' : undefined;
    if (!alg) throw unauthenticated(`Unsupported token algorithm ${String(head.alg)}`);
    const workspace = typeof claims.iss === 'string' ? findWorkspace(claims.iss) : undefined;
    if (!workspace) throw unauthenticated('Unknown workspace');
    const expected = createHmac(alg, workspace.secret).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthenticated('Invalid token signature');
    if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) throw unauthenticated('Access token expired');
    const customerId = typeof claims.id === 'string' || typeof claims.id === 'number' ? String(claims.id) : '';
    if (!customerId) throw unauthenticated('Access token has no customer id');
    if (verified.size > 10_000) verified.clear();
    verified.set(token, { workspaceKey: workspace.key, customerId, exp: typeof claims.exp === 'number' ? claims.exp : undefined });
    return { workspace, customerId, customer: workspace.customers.find((c) => c.id === customerId) };
  }

  const integrationOf = (w: WorkspaceFixture, key: string) => w.integrations.find((i) => i.key === key);
  const integrationById = (w: WorkspaceFixture, id: string) => w.integrations.find((i) => i.id === id);

  function connectionView(w: WorkspaceFixture, customerId: string, c: ConnectionFixture) {
    const integration = integrationOf(w, c.integrationKey);
    return {
      id: c.id,
      name: c.name,
      userId: customerId,
      integrationId: integration?.id ?? c.integrationKey,
      integration:
        integration && !opts.connectionsWithoutIntegration
          ? { id: integration.id, key: integration.key, name: integration.name, logoUri: integration.logoUri ?? '' }
          : undefined,
      disconnected: c.disconnected === true,
      isTest: false,
      createdAt: STAMP,
      updatedAt: STAMP,
      ...(c.archived ? { archivedAt: STAMP } : {}),
    };
  }

  function actionView(integration: IntegrationFixture, a: ActionFixture) {
    return {
      id: a.id ?? `${integration.id}-${a.key}`,
      key: a.key,
      name: a.name,
      ...(a.description !== undefined ? { description: a.description } : {}),
      integrationId: integration.id,
      integration: { id: integration.id, key: integration.key, name: integration.name },
      ...(a.inputSchema !== undefined ? { inputSchema: a.inputSchema } : {}),
      ...(a.outputSchema !== undefined ? { outputSchema: a.outputSchema } : {}),
      isDeactivated: a.isDeactivated === true,
      type: a.type ?? 'run-javascript',
      createdAt: STAMP,
      updatedAt: STAMP,
      ...(a.archived ? { archivedAt: STAMP } : {}),
    };
  }

  /** Words of a text, lowercased, a plural `s` dropped: enough for the emulator's own intent search. */
  function intentWords(text: string): string[] {
    return text
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((x) => x.length > 2)
      .map((x) => (x.length > 3 && x.endsWith('s') ? x.slice(0, -1) : x));
  }

  /** The actions sharing words with the intent, most shared first (the action's key and name count twice). */
  function rankByIntent<A extends { key: string; name: string; description?: string }>(actions: A[], intent: string): A[] {
    const wanted = new Set(intentWords(intent.slice(0, 500)));
    const scored = actions.map((a, i) => {
      let score = 0;
      for (const x of intentWords(`${a.key} ${a.name}`)) if (wanted.has(x)) score += 2;
      for (const x of intentWords(a.description ?? '')) if (wanted.has(x)) score += 1;
      return { a, i, score };
    });
    return scored
      .filter((s) => s.score > 0)
      .sort((x, y) => y.score - x.score || x.i - y.i)
      .map((s) => s.a);
  }

  function route(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    caller: Caller,
  ): { status: number; body: unknown; delayMs?: number } {
    const w = caller.workspace;
    const connections = caller.customer?.connections ?? [];
    if (method === 'GET' && path === '/integrations') {
      // What the SDK's `client.integrations.find({ search, limit, cursor })` reads; a customer token
      // sees the customer's connection of each integration embedded (as the real API does).
      const search = (query.search ?? '').toLowerCase();
      const list = w.integrations.filter((i) => !search || i.key.toLowerCase().includes(search) || i.name.toLowerCase().includes(search));
      return {
        status: 200,
        body: paginate(
          list.map((i) => {
            const connection = connections.find((c) => c.integrationKey === i.key && !c.archived);
            return {
              id: i.id,
              key: i.key,
              name: i.name,
              logoUri: i.logoUri ?? '',
              state: 'READY',
              ...(connection ? { connection: connectionView(w, caller.customerId, connection) } : {}),
              createdAt: STAMP,
              updatedAt: STAMP,
            };
          }),
          query,
          pageSize,
        ),
      };
    }
    const integrationRoute = /^\/integrations\/([^/]+)$/.exec(path);
    if (method === 'GET' && integrationRoute) {
      const integration = integrationById(w, decodeURIComponent(integrationRoute[1])) ?? integrationOf(w, decodeURIComponent(integrationRoute[1]));
      if (!integration) throw notFound('Integration not found');
      return { status: 200, body: { id: integration.id, key: integration.key, name: integration.name, logoUri: integration.logoUri ?? '' } };
    }
    if (method === 'GET' && path === '/self' && !opts.withoutSelf) {
      return {
        status: 200,
        body: { id: caller.customerId, name: caller.customer?.name ?? caller.customerId, workspaceKey: w.key, workspaceId: `ws-${w.key}` },
      };
    }
    if (method === 'GET' && path === '/connections') {
      let list = connections;
      if (query.integrationKey) list = list.filter((c) => c.integrationKey === query.integrationKey);
      if (query.integrationId) list = list.filter((c) => integrationOf(w, c.integrationKey)?.id === query.integrationId);
      return {
        status: 200,
        body: paginate(
          list.map((c) => connectionView(w, caller.customerId, c)),
          query,
          pageSize,
        ),
      };
    }
    if (method === 'GET' && path === '/actions') {
      let integration: IntegrationFixture | undefined;
      if (query.integrationId) integration = integrationById(w, query.integrationId);
      else if (query.integrationKey) integration = integrationOf(w, query.integrationKey);
      else if (query.connectionId) {
        const c = connections.find((x) => x.id === query.connectionId);
        integration = c ? integrationOf(w, c.integrationKey) : undefined;
      }
      const all = integration
        ? integration.actions.map((a) => actionView(integration!, a))
        : query.integrationId || query.integrationKey || query.connectionId
          ? []
          : w.integrations.flatMap((i) => i.actions.map((a) => actionView(i, a)));
      // Action search by intent: the emulator's own simple ranking (shared words), best first.
      if (query.intent !== undefined) return { status: 200, body: paginate(rankByIntent(all, query.intent), query, pageSize) };
      return { status: 200, body: paginate(all, query, pageSize) };
    }
    const run = /^\/connections\/([^/]+)\/actions\/([^/]+)\/run$/.exec(path);
    if (method === 'POST' && run) {
      const selector = decodeURIComponent(run[1]);
      const actionKey = decodeURIComponent(run[2]);
      const connection = connections.find((c) => c.id === selector) ?? connections.find((c) => c.integrationKey === selector && !c.archived);
      if (!connection || connection.archived) throw notFound(`Connection ${selector} not found`);
      const integration = integrationOf(w, connection.integrationKey);
      const action = integration?.actions.find((a) => a.key === actionKey && !a.archived);
      if (!integration || !action) throw notFound(`Action ${actionKey} not found for integration ${connection.integrationKey}`);
      if (connection.disconnected) {
        throw new HttpError(400, {
          type: 'connection',
          key: 'connection_is_defunct',
          message: `Connection ${connection.name} is disconnected. Reconnect it to continue.`,
        });
      }
      const spec = action.run ?? { mode: 'echo' };
      if (spec.mode === 'error') throw new HttpError(spec.status, spec.error, spec.headers);
      if (spec.mode === 'error-echo') throw new HttpError(spec.status, { type: spec.type, message: `Invalid input: ${JSON.stringify(body ?? {})}` });
      if (spec.mode === 'static') return { status: 200, body: { output: spec.output } };
      if (spec.mode === 'slow') {
        const asked = (body as { seconds?: unknown } | undefined)?.seconds;
        const seconds = Math.min(typeof asked === 'number' && asked >= 0 ? asked : spec.seconds, spec.maxSeconds ?? 600);
        const output = spec.output ?? { ok: true, connectionId: connection.id, actionKey, input: body ?? {}, tookSeconds: seconds };
        return { status: 200, body: { output }, delayMs: Math.round(seconds * 1000) };
      }
      return { status: 200, body: { output: { ok: true, connectionId: connection.id, actionKey, input: body ?? {} } } };
    }
    throw notFound(`No route ${method} ${path}`);
  }

  function control(req: IncomingMessage, res: ServerResponse, path: string, raw: string): void {
    const parse = () => (raw ? JSON.parse(raw) : {});
    if (req.method === 'POST' && path === '/__emulator/faults') {
      const rule = parse() as FaultRule;
      faults.push({ ...rule, remaining: rule.times ?? Infinity });
      return send(res, 200, { ok: true });
    }
    if (req.method === 'DELETE' && path === '/__emulator/faults') {
      faults = [];
      return send(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/__emulator/latency') {
      latencyMs = Number((parse() as { ms?: number }).ms ?? 0);
      return send(res, 200, { ok: true });
    }
    if (req.method === 'GET' && path === '/__emulator/requests') return send(res, 200, requests);
    if (req.method === 'DELETE' && path === '/__emulator/requests') {
      requests.length = 0;
      return send(res, 200, { ok: true });
    }
    send(res, 404, { type: 'bad_request', key: 'not_found', message: 'Unknown control route' });
  }

  function matchFault(method: string, path: string): (FaultRule & { remaining: number }) | undefined {
    const rule = faults.find(
      (f) =>
        f.remaining > 0 &&
        (!f.method || f.method.toUpperCase() === method) &&
        (!f.path || (typeof f.path === 'string' ? path.startsWith(f.path) : f.path.test(path))),
    );
    if (rule) rule.remaining--;
    return rule;
  }

  /** Connections created through the connect page, per workspace (ids unique across customers). */
  let connectedThroughPage = 0;

  /**
   * The Integration.app connection UI, reduced to a button: GET shows the form (the token rides in
   * the form, as in the URL the UI was opened with), POST verifies the token and creates a
   * connection of the integration for the token's customer. A bad or expired token gets 401.
   */
  function serveConnectPage(
    res: ServerResponse,
    method: string,
    integrationKey: string,
    query: Record<string, string>,
    raw: string,
    record: RecordedRequest,
  ): void {
    const form = method === 'POST' ? Object.fromEntries(new URLSearchParams(raw).entries()) : {};
    const token = form.token ?? query.token ?? '';
    record.token = token || undefined;
    let caller: Caller;
    try {
      caller = verifyToken(token);
    } catch (err) {
      return page(res, 401, 'Not authorized', `<p>${escapeHtml((err as Error).message)}.</p>`);
    }
    record.authorized = true;
    record.workspaceKey = caller.workspace.key;
    record.customerId = caller.customerId;
    const integration = integrationOf(caller.workspace, integrationKey);
    if (!integration) return page(res, 404, 'Unknown app', `<p>This workspace has no integration "${escapeHtml(integrationKey)}".</p>`);
    if (method === 'GET') {
      return page(
        res,
        200,
        `Connect ${escapeHtml(integration.name)}`,
        `<p>Connect your ${escapeHtml(integration.name)} account (emulated Integration.app connection page).</p>
<form method="post"><input type="hidden" name="token" value="${escapeHtml(token)}">` +
          `${query.allowMultipleConnections ? '<input type="hidden" name="allowMultipleConnections" value="1">' : ''}` +
          `<button type="submit">Connect ${escapeHtml(integration.name)}</button></form>`,
      );
    }
    if (method !== 'POST') return page(res, 405, 'Method not allowed', '<p>GET shows the form; POST connects.</p>');
    let customer = caller.customer;
    if (!customer) {
      customer = { id: caller.customerId, name: caller.customerId, connections: [] };
      caller.workspace.customers.push(customer);
    }
    const existing = customer.connections.find((c) => c.integrationKey === integration.key && !c.archived && !c.disconnected);
    if (existing && !form.allowMultipleConnections) {
      return page(
        res,
        200,
        `${escapeHtml(integration.name)} connected`,
        `<p>${escapeHtml(integration.name)} was already connected. You can close this window.</p>`,
      );
    }
    connectedThroughPage++;
    customer.connections.push({
      id: `conn-${integration.key}-${caller.customerId}-${connectedThroughPage}`,
      name: `${integration.name} of ${customer.name ?? caller.customerId}`,
      integrationKey: integration.key,
    });
    page(
      res,
      200,
      `${escapeHtml(integration.name)} connected`,
      `<p>${escapeHtml(integration.name)} is connected. You can close this window and go back to the conversation.</p>`,
    );
  }

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams.entries());
    try {
      const raw = await readBody(req);
      if (path.startsWith('/__emulator/')) return control(req, res, path, raw);
      const method = (req.method ?? 'GET').toUpperCase();
      let body: unknown;
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const record: RecordedRequest = {
        method,
        path,
        query,
        body: undefined,
        token: bearer,
        authorized: false,
        at: Date.now(),
        remotePort: req.socket.remotePort,
        userAgent: req.headers['user-agent'],
      };
      if (req.headers.traceparent !== undefined) {
        record.headers = {
          traceparent: String(req.headers.traceparent),
          ...(req.headers.tracestate !== undefined ? { tracestate: String(req.headers.tracestate) } : {}),
        };
      }
      requests.push(record);
      res.once('close', () => {
        if (!res.writableFinished) record.abandoned = true;
      });
      if (raw && !path.startsWith('/embed/')) {
        try {
          body = JSON.parse(raw);
        } catch {
          throw new HttpError(400, { type: 'bad_request', message: 'Request body is not valid JSON' });
        }
      }
      record.body = body;
      const fault = matchFault(method, path);
      const delay = latencyMs + (fault?.delayMs ?? 0);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (fault?.networkError) {
        req.socket.destroy();
        return;
      }
      if (fault && (fault.status !== undefined || fault.rawBody !== undefined)) {
        const status = fault.status ?? 500;
        if (fault.rawBody !== undefined) {
          res.writeHead(status, { 'Content-Type': 'text/html', ...(fault.headers ?? {}) });
          res.end(fault.rawBody);
        } else {
          send(res, status, fault.body ?? { type: 'internal', message: 'Injected fault' }, fault.headers);
        }
        return;
      }
      const connectPage = /^\/embed\/integrations\/([^/]+)\/connect$/.exec(path);
      if (connectPage) return serveConnectPage(res, method, decodeURIComponent(connectPage[1]), query, raw, record);
      const caller = authenticate(req);
      record.authorized = true;
      record.workspaceKey = caller.workspace.key;
      record.customerId = caller.customerId;
      const out = route(method, path, query, body, caller);
      // A slow action answers later; a client that went away meanwhile is left alone (recorded as abandoned).
      if (out.delayMs) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, out.delayMs);
          res.once('close', () => (clearTimeout(timer), resolve()));
        });
      }
      send(res, out.status, out.body);
    } catch (err) {
      if (err instanceof HttpError) send(res, err.status, err.body, err.headers);
      else send(res, 500, { type: 'internal', message: 'Emulator failure' });
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  if (opts.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';

  return {
    url: `http://${host}:${port}`,
    port,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    addFault(rule: FaultRule) {
      const entry = { ...rule, remaining: rule.times ?? Infinity };
      faults.push(entry);
      return () => {
        faults = faults.filter((f) => f !== entry);
      };
    },
    clearFaults: () => {
      faults = [];
    },
    setLatency: (ms: number) => {
      latencyMs = ms;
    },
    get fixture() {
      return fixture;
    },
    setFixture: (f: Fixture) => {
      fixture = f;
    },
    token(customerId: string, o: { workspaceKey?: string; expiresInSeconds?: number; alg?: JwtAlg } = {}) {
      const workspace = o.workspaceKey ? findWorkspace(o.workspaceKey) : fixture.workspaces[0];
      if (!workspace) throw new Error(`Unknown workspace ${o.workspaceKey}`);
      return customerToken({ workspaceKey: workspace.key, secret: workspace.secret, customerId, expiresInSeconds: o.expiresInSeconds, alg: o.alg });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
