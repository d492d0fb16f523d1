import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, Emulator } from '../../test/emulator/emulator';
import type { Fixture } from '../../test/emulator/fixture.types';
import { searchContext, viewOf } from '../../test/support/tool-view';
import type { IntegrationAppConfig } from '../config/app.config';
import type { SearchConfig } from '../config/search.config';
import { FusedActionSearch } from '../tools/discovery/fused-action-search';
import { LocalActionSearch } from '../tools/discovery/local-action-search';
import { SearchIndexCache } from '../tools/discovery/search-index-cache';
import { SchemaValidators } from '../tools/schema-validators';
import { SdkIntegrationAppGateway } from './sdk-integration-app.gateway';
import { buildToolCatalog, ToolCatalog } from './tool-catalog';
import { UpstreamActionSearch } from './upstream-action-search';
import { UpstreamObserver } from './upstream.observer';

/** Integration.app's action search through the real SDK client against the emulator (its own simple ranking). */
describe('UpstreamActionSearch', () => {
  let emulator: Emulator;
  let gateway: SdkIntegrationAppGateway;
  let catalog: ToolCatalog;
  let token: string;
  const fixture = JSON.parse(readFileSync(join(__dirname, '../../test/emulator/fixtures/search-workspace.json'), 'utf8')) as Fixture;
  const customer = fixture.workspaces[0].customers[0].id;
  const config = (upstream: boolean) => ({ upstream, upstreamTimeoutMs: 2000 }) as SearchConfig;

  beforeAll(async () => {
    emulator = await startEmulator({ fixture });
    gateway = new SdkIntegrationAppGateway(
      { apiUrl: emulator.url, upstreamTimeoutMs: 5000, upstreamRetries: 0, actionTimeoutMs: 5000 } as IntegrationAppConfig,
      new UpstreamObserver(),
    );
    token = emulator.token(customer);
    const connections = await gateway.listConnections(token);
    const actions = new Map(
      (await Promise.all(connections.map(async (c) => [c.integrationId, await gateway.listActions(token, c.integrationId)] as const))).map(([k, v]) => [k, v]),
    );
    catalog = buildToolCatalog(connections, actions, new SchemaValidators());
  });
  afterAll(async () => {
    gateway.onApplicationShutdown();
    await emulator.close();
  });
  beforeEach(() => emulator.clearRequests());

  it('reads the action type the API gives (the SDK adapter maps it)', async () => {
    const actions = await gateway.listActions(token, catalog.tools[0].entry.integrationId);
    expect(actions.every((a) => a.type === 'run-javascript')).toBe(true);
  });

  it('is off unless SEARCH_UPSTREAM is set', () => {
    expect(new UpstreamActionSearch(gateway, config(false)).enabled()).toBe(false);
    expect(new UpstreamActionSearch(gateway, config(true)).enabled()).toBe(true);
  });

  it('asks GET /actions?intent=… with the caller token and maps the answer onto the caller’s own tools, alone', async () => {
    const upstream = new UpstreamActionSearch(gateway, config(true));
    const view = viewOf(catalog.tools);
    const result = await upstream.search(searchContext(token), view, { query: 'create a refund', limit: 5 });
    expect(result?.hits.length).toBeGreaterThan(0);
    expect(result?.hits[0].tool.definition.name).toMatch(/refund/);
    for (const h of result!.hits) expect(view.tools).toContain(h.tool);
    const asked = emulator.requests.filter((r) => r.path === '/actions' && r.query.intent !== undefined);
    expect(asked).toHaveLength(1);
    expect(asked[0].query.intent).toBe('create a refund');
  });

  it('passes the connection of a single named app and keeps only that app (policy and apps still hold)', async () => {
    const upstream = new UpstreamActionSearch(gateway, config(true));
    const app = catalog.tools[0].app;
    const result = await upstream.search(searchContext(token), viewOf(catalog.tools), { query: 'list', apps: [app], limit: 5 });
    expect(result?.hits.every((h) => h.tool.app === app)).toBe(true);
    const asked = emulator.requests.find((r) => r.path === '/actions' && r.query.intent !== undefined);
    expect(asked?.query.connectionId).toBe(catalog.tools[0].entry.connections[0].id);
    // A view without an action leaves nothing to ask for.
    const narrowed = viewOf(catalog.tools.filter((t) => t.app !== 'stripe'));
    const found = await upstream.search(searchContext(token), narrowed, { query: 'create a refund', limit: 10 });
    expect(found?.hits.some((h) => h.tool.app === 'stripe')).toBe(false);
  });

  it('falls back to the local ranking when Integration.app fails, and fuses with it when it answers', async () => {
    const upstream = new UpstreamActionSearch(gateway, config(true));
    const fused = new FusedActionSearch(new LocalActionSearch(new SearchIndexCache({ maxEntries: 4, maxBytes: 1e8 })));
    fused.useProviders([upstream]);
    const view = viewOf(catalog.tools);
    const answered = await fused.search(searchContext(token), view, { query: 'refund the customer', limit: 5 });
    expect(answered.hits.length).toBe(5);
    const local = await new LocalActionSearch(new SearchIndexCache({ maxEntries: 4, maxBytes: 1e8 })).search(searchContext(token), view, {
      query: 'refund the customer',
      limit: 5,
    });
    const remove = emulator.addFault({ path: '/actions', status: 503, times: 5 });
    try {
      expect(await upstream.search(searchContext(token), view, { query: 'refund the customer', limit: 5 })).toBeUndefined();
      const fallback = await fused.search(searchContext(token), view, { query: 'refund the customer', limit: 5 });
      expect(fallback.hits.map((h) => h.tool)).toEqual(local.hits.map((h) => h.tool));
    } finally {
      remove();
    }
  });
});
