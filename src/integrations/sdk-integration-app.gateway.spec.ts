import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, Emulator } from '../../test/emulator/emulator';
import { e2eFixture } from '../../test/support/e2e-fixture';
import type { IntegrationAppConfig } from '../config/app.config';
import { proxyFromEnvironment, SdkIntegrationAppGateway } from './sdk-integration-app.gateway';
import { UpstreamObserver } from './upstream.observer';

const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'];

/** A forward HTTP proxy that counts what it relays. */
async function startProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${new URL(req.url!).pathname}`);
    const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

describe('SdkIntegrationAppGateway and the egress proxy', () => {
  let emulator: Emulator;
  const saved: Record<string, string | undefined> = {};
  const config = (url: string) => ({ apiUrl: url, upstreamTimeoutMs: 5000, upstreamRetries: 0, actionTimeoutMs: 5000 }) as IntegrationAppConfig;

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    for (const k of PROXY_VARS) saved[k] = process.env[k];
  });
  afterEach(() => {
    for (const k of PROXY_VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
  afterAll(() => emulator.close());

  it('reads whether a proxy is configured from the environment', () => {
    expect(proxyFromEnvironment({})).toBe(false);
    expect(proxyFromEnvironment({ HTTP_PROXY: '' })).toBe(false);
    expect(proxyFromEnvironment({ HTTPS_PROXY: 'http://proxy:3128' })).toBeUndefined();
    expect(proxyFromEnvironment({ all_proxy: 'http://proxy:3128' })).toBeUndefined();
    expect(proxyFromEnvironment({ npm_config_https_proxy: 'http://proxy:3128' })).toBeUndefined();
    expect(proxyFromEnvironment({ NO_PROXY: 'localhost' })).toBe(false);
  });

  it('sends every upstream request through HTTP_PROXY when one is set', async () => {
    const proxy = await startProxy();
    try {
      for (const k of PROXY_VARS) delete process.env[k];
      process.env.HTTP_PROXY = proxy.url;
      const gateway = new SdkIntegrationAppGateway(config(emulator.url), new UpstreamObserver());
      const token = emulator.token('cust-1');
      const connections = await gateway.listConnections(token);
      expect(connections.length).toBeGreaterThan(0);
      await gateway.runAction(token, 'conn-gmail', 'count-unread', {});
      expect(proxy.seen).toEqual(expect.arrayContaining(['GET /connections', 'POST /connections/conn-gmail/actions/count-unread/run']));
    } finally {
      await proxy.close();
    }
  });

  it('reuses keep-alive connections to Integration.app', async () => {
    for (const k of PROXY_VARS) delete process.env[k];
    const gateway = new SdkIntegrationAppGateway(config(emulator.url), new UpstreamObserver());
    try {
      emulator.clearRequests();
      for (let i = 0; i < 5; i++) await gateway.runAction(emulator.token('cust-1'), 'conn-gmail', 'count-unread', {});
      expect(new Set(emulator.requests.map((r) => r.remotePort)).size).toBe(1);
    } finally {
      gateway.onApplicationShutdown();
    }
  });

  it('connects directly when no proxy is set', async () => {
    for (const k of PROXY_VARS) delete process.env[k];
    const gateway = new SdkIntegrationAppGateway(config(emulator.url), new UpstreamObserver());
    emulator.clearRequests();
    await gateway.runAction(emulator.token('cust-1'), 'conn-gmail', 'count-unread', {});
    expect(emulator.requests.map((r) => r.path)).toEqual(['/connections/conn-gmail/actions/count-unread/run']);
    // Sent by the lean adapter (axios' own adapter is only used with a proxy).
    expect(emulator.requests[0].userAgent).toBe('integration-app-mcp-server');
  });
});

describe('SdkIntegrationAppGateway: what the SDK error drops (src/integrations/sdk-error-status.ts)', () => {
  let emulator: Emulator;
  const config = (url: string) => ({ apiUrl: url, upstreamTimeoutMs: 5000, upstreamRetries: 0, actionTimeoutMs: 5000 }) as IntegrationAppConfig;
  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
  });
  afterAll(() => emulator.close());

  it('keeps the HTTP status and Retry-After of a structured error body through the real SDK client', async () => {
    const gateway = new SdkIntegrationAppGateway(config(emulator.url), new UpstreamObserver());
    emulator.addFault({
      method: 'POST',
      path: '/connections/',
      status: 429,
      body: { type: 'action_run', message: 'slow down' },
      headers: { 'Retry-After': '17' },
      times: 1,
    });
    const err = await gateway.runAction(emulator.token('cust-1'), 'conn-gmail', 'list-emails', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rate_limited', upstreamStatus: 429, retryAfterSeconds: 17, upstreamType: 'action_run' });
    emulator.addFault({ method: 'POST', path: '/connections/', status: 503, body: { type: 'action_run', message: 'down' }, times: 1 });
    expect(await gateway.runAction(emulator.token('cust-1'), 'conn-gmail', 'list-emails', {}).catch((e: unknown) => e)).toMatchObject({
      kind: 'unavailable',
      upstreamStatus: 503,
    });
    gateway.onApplicationShutdown();
  });

  it('refuses path segments that would change the upstream path, before any request', async () => {
    const gateway = new SdkIntegrationAppGateway(config(emulator.url), new UpstreamObserver());
    emulator.clearRequests();
    for (const [connection, action] of [
      ['..', 'list-emails'],
      ['.', 'list-emails'],
      ['', 'list-emails'],
      ['conn-gmail', '..'],
    ]) {
      await expect(gateway.runAction(emulator.token('cust-1'), connection, action, {})).rejects.toMatchObject({ kind: 'bad_request' });
    }
    expect(emulator.requests).toHaveLength(0);
    gateway.onApplicationShutdown();
  });
});

describe('SdkIntegrationAppGateway.listAllActions', () => {
  const config = (url: string) => ({ apiUrl: url, upstreamTimeoutMs: 5000, upstreamRetries: 0, actionTimeoutMs: 5000 }) as IntegrationAppConfig;

  it('returns every action of the workspace when they fit one page, and nothing when they do not', async () => {
    const roomy = await startEmulator({ fixture: e2eFixture() });
    const tight = await startEmulator({ fixture: e2eFixture(), pageSize: 3 });
    try {
      const all = await new SdkIntegrationAppGateway(config(roomy.url), new UpstreamObserver()).listAllActions(roomy.token('cust-1'));
      expect(all?.find((a) => a.key === 'send-email')).toMatchObject({ integrationId: 'int-gmail', name: 'Send Email' });
      expect(new Set(all?.map((a) => a.integrationId))).toEqual(new Set(['int-gmail', 'int-slack', 'int-notion', 'int-jira', 'int-warehouse', 'int-asana']));
      expect(await new SdkIntegrationAppGateway(config(tight.url), new UpstreamObserver()).listAllActions(tight.token('cust-1'))).toBeUndefined();
    } finally {
      await roomy.close();
      await tight.close();
    }
  });
});

describe('SdkIntegrationAppGateway.listIntegrations', () => {
  let emulator: Emulator;
  const config = (url: string) => ({ apiUrl: url, upstreamTimeoutMs: 5000, upstreamRetries: 0, actionTimeoutMs: 5000 }) as IntegrationAppConfig;

  beforeAll(async () => {
    // Two per page: every page is read, cursor by cursor.
    emulator = await startEmulator({ fixture: e2eFixture(), pageSize: 2 });
  });
  afterAll(() => emulator.close());

  it("reads every page of the workspace's integrations, with Integration.app's own search and a bound on how many", async () => {
    const gateway = new SdkIntegrationAppGateway(config(emulator.url), new UpstreamObserver());
    try {
      const token = emulator.token('cust-1');
      emulator.clearRequests();
      expect(await gateway.listIntegrations(token)).toEqual([
        { id: 'int-gmail', key: 'gmail', name: 'Gmail' },
        { id: 'int-slack', key: 'slack', name: 'Slack' },
        { id: 'int-notion', key: 'notion', name: 'Notion' },
        { id: 'int-jira', key: 'jira', name: 'Jira' },
        { id: 'int-warehouse', key: 'warehouse', name: 'Warehouse' },
        { id: 'int-asana', key: 'asana', name: 'Asana' },
      ]);
      expect(emulator.requests.map((r) => [r.path, r.query.cursor ?? null])).toEqual([
        ['/integrations', null],
        ['/integrations', '2'],
        ['/integrations', '4'],
      ]);
      expect((await gateway.listIntegrations(token, { search: 'asa' })).map((i) => i.key)).toEqual(['asana']);
      emulator.clearRequests();
      expect(await gateway.listIntegrations(token, { limit: 3 })).toHaveLength(3);
      expect(emulator.requests).toHaveLength(2);
    } finally {
      gateway.onApplicationShutdown();
    }
  });
});
