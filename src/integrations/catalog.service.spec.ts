import type { IntegrationAppConfig } from '../config/app.config';
import { CatalogService } from './catalog.service';
import { IntegrationAppGateway, UpstreamAction, UpstreamConnection, UpstreamIntegration, UpstreamSelf } from './integration-app.gateway';
import { SchemaValidators } from '../tools/schema-validators';
import { UpstreamError } from './upstream.error';
import { waitFor } from '../../test/support/wait';

/** A gateway fake that counts calls and throws on anything it was not set up for. */
class FakeGateway extends IntegrationAppGateway {
  connectionCalls = 0;
  actionCalls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  failActionsOf = new Map<string, UpstreamError>();
  delayMs = 5;

  constructor(
    private connections: UpstreamConnection[],
    private actions: Record<string, UpstreamAction[]>,
  ) {
    super();
  }
  getSelf(): Promise<UpstreamSelf> {
    throw new Error('getSelf not expected');
  }
  listIntegrations(): Promise<UpstreamIntegration[]> {
    throw new Error('listIntegrations not expected');
  }
  async listConnections(): Promise<UpstreamConnection[]> {
    this.connectionCalls++;
    await new Promise((r) => setTimeout(r, this.delayMs));
    return this.connections;
  }
  async listActions(_token: string, integrationId: string): Promise<UpstreamAction[]> {
    this.actionCalls.push(integrationId);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.inFlight--;
    const failure = this.failActionsOf.get(integrationId);
    if (failure) throw failure;
    const list = this.actions[integrationId];
    if (!list) throw new Error(`listActions(${integrationId}) not expected`);
    return list;
  }
  runAction(): Promise<unknown> {
    throw new Error('runAction not expected');
  }
  /** Set: the workspace's actions fit one page (one round trip); unset: they do not. */
  everyAction?: UpstreamAction[];
  everyActionCalls = 0;
  override async listAllActions(): Promise<UpstreamAction[] | undefined> {
    this.everyActionCalls++;
    await new Promise((r) => setTimeout(r, this.delayMs));
    return this.everyAction;
  }
}

const conn = (i: number): UpstreamConnection => ({
  id: `c${i}`,
  name: `C${i}`,
  integrationId: `int${i}`,
  integrationKey: `app${i}`,
  integrationName: `App ${i}`,
  disconnected: false,
  archived: false,
});
const act = (key: string): UpstreamAction => ({ id: key, key, name: key, integrationId: '', deactivated: false, archived: false });

function setup(n: number, config: Partial<IntegrationAppConfig> = {}) {
  const connections = Array.from({ length: n }, (_, i) => conn(i));
  const actions = Object.fromEntries(connections.map((c) => [c.integrationId, [act('list-things'), act('create-thing')]]));
  const gateway = new FakeGateway(connections, actions);
  const service = new CatalogService(
    gateway,
    {
      catalogTtlSeconds: 60,
      catalogMaxEntries: 100,
      catalogFetchConcurrency: 3,
      ...config,
    } as IntegrationAppConfig,
    new SchemaValidators(),
  );
  return { gateway, service };
}

describe('CatalogService', () => {
  it("builds a cold catalog in one round trip when the workspace's actions fit one page", async () => {
    const { gateway, service } = setup(3);
    gateway.everyAction = [
      { ...act('list-things'), integrationId: 'int0' },
      { ...act('create-thing'), integrationId: 'int2' },
      { ...act('of-an-unconnected-app'), integrationId: 'int9' },
      { ...act('universal'), integrationId: '' },
    ];
    const catalog = await service.get('id-1', 'token');
    expect(catalog.entries.map((e) => e.name)).toEqual(['app0_list-things', 'app2_create-thing']);
    expect(gateway.actionCalls).toEqual([]);
    expect([gateway.connectionCalls, gateway.everyActionCalls]).toEqual([1, 1]);
  });

  it('lists actions per integration when they do not fit one page', async () => {
    const { gateway, service } = setup(2);
    await service.get('id-1', 'token');
    expect(gateway.everyActionCalls).toBe(1);
    expect(gateway.actionCalls.sort()).toEqual(['int0', 'int1']);
  });

  it('fetches once for concurrent requests of one identity (single flight)', async () => {
    const { gateway, service } = setup(4);
    const results = await Promise.all(Array.from({ length: 20 }, () => service.get('id-1', 'tok')));
    expect(new Set(results).size).toBe(1);
    expect(results[0].size).toBe(8);
    expect(gateway.connectionCalls).toBe(1);
    expect(gateway.actionCalls).toHaveLength(4);
    await service.get('id-1', 'tok');
    expect(gateway.connectionCalls).toBe(1);
  });

  it('bounds the parallel action-list fetches', async () => {
    const { gateway, service } = setup(10, { catalogFetchConcurrency: 3 });
    await service.get('id', 'tok');
    expect(gateway.actionCalls).toHaveLength(10);
    expect(gateway.maxInFlight).toBe(3);
  });

  it('serves a stale catalog while refreshing it in the background', async () => {
    const { gateway, service } = setup(1, { catalogTtlSeconds: 0 });
    const first = await service.get('id', 'tok');
    const stale = await service.get('id', 'tok');
    expect(stale).toBe(first);
    // The refresh is done once its action list came back (the new catalog is stored in the same tick).
    await waitFor('the background refresh', () => gateway.actionCalls.length === 2 && gateway.inFlight === 0);
    await new Promise((r) => setImmediate(r));
    expect(gateway.connectionCalls).toBe(2);
    expect(await service.get('id', 'tok')).not.toBe(first);
  });

  it('evicts the least recently used identity beyond the cap', async () => {
    const { gateway, service } = setup(1, { catalogMaxEntries: 2 });
    await service.get('a', 't');
    await service.get('b', 't');
    await service.get('a', 't');
    await service.get('c', 't');
    expect(service.cachedIdentities).toBe(2);
    await service.get('a', 't');
    expect(gateway.connectionCalls).toBe(3);
    await service.get('b', 't');
    expect(gateway.connectionCalls).toBe(4);
  });

  it('never holds more than CATALOG_MAX_ENTRIES identities', async () => {
    const { service } = setup(1, { catalogMaxEntries: 5 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => service.get(`id-${i}`, 't')));
    expect(service.cachedIdentities).toBe(5);
  });

  it('keeps a partial catalog for 10 s, then fetches it again', async () => {
    const { gateway, service } = setup(2);
    gateway.failActionsOf.set('int1', new UpstreamError('boom', { kind: 'unavailable' }));
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now');
    try {
      clock.mockReturnValue(start);
      const partial = await service.get('a', 't');
      expect(partial.partial).toBe(true);
      clock.mockReturnValue(start + 9_000);
      expect(await service.get('a', 't')).toBe(partial);
      expect(gateway.connectionCalls).toBe(1);
      gateway.failActionsOf.clear();
      clock.mockReturnValue(start + 10_500);
      // Served stale while the refresh runs, then replaced by the complete catalog.
      expect(await service.get('a', 't')).toBe(partial);
      clock.mockRestore();
      await waitFor('the refresh of the partial catalog', () => gateway.actionCalls.length === 4 && gateway.inFlight === 0);
      await new Promise((r) => setImmediate(r));
      expect(gateway.connectionCalls).toBe(2);
      const complete = await service.get('a', 't');
      expect(complete.partial).toBe(false);
      expect(complete.size).toBe(4);
    } finally {
      clock.mockRestore();
    }
  });

  it('caches nothing when the first fetch fails, and tries again on the next request', async () => {
    const { gateway, service } = setup(1);
    gateway.failActionsOf.set('int0', new UpstreamError('no', { kind: 'forbidden' }));
    await expect(service.get('a', 't')).rejects.toMatchObject({ kind: 'forbidden' });
    expect(service.cachedIdentities).toBe(0);
    gateway.failActionsOf.clear();
    expect((await service.get('a', 't')).size).toBe(2);
    expect(gateway.connectionCalls).toBe(2);
  });

  it('keeps serving the stale catalog when a background refresh fails', async () => {
    const { gateway, service } = setup(1, { catalogTtlSeconds: 0 });
    const first = await service.get('a', 't');
    gateway.failActionsOf.set('int0', new UpstreamError('no', { kind: 'unauthorized' }));
    expect(await service.get('a', 't')).toBe(first);
    await waitFor('the failed refresh', () => gateway.actionCalls.length === 2 && gateway.inFlight === 0);
    await new Promise((r) => setImmediate(r));
    expect(gateway.connectionCalls).toBe(2);
    expect(await service.get('a', 't')).toBe(first);
    expect(service.cachedIdentities).toBe(1);
  });

  it('lets the requests waiting for a first fetch have it when the identity is invalidated meanwhile', async () => {
    const { gateway, service } = setup(1);
    const waiting = service.get('a', 't');
    service.invalidate('a');
    expect((await waiting).size).toBe(2);
    expect(gateway.connectionCalls).toBe(1);
  });

  it('drop (connections changed) forgets the catalog even while a fetch is in flight: the next request fetches again', async () => {
    const { gateway, service } = setup(1);
    await service.get('a', 't');
    service.invalidate('a');
    const before = service.get('a', 't');
    service.drop('a');
    const after = service.get('a', 't');
    expect(await after).not.toBe(await before);
    expect(gateway.connectionCalls).toBe(3);
    expect(await service.get('a', 't')).toBe(await after);
    expect(gateway.connectionCalls).toBe(3);
  });

  it('refetches after invalidate', async () => {
    const { gateway, service } = setup(1);
    await service.get('a', 't');
    service.invalidate('a');
    await service.get('a', 't');
    expect(gateway.connectionCalls).toBe(2);
  });

  it('keeps the other integrations when one action list fails, and fails whole on a rejected token', async () => {
    const { gateway, service } = setup(2);
    gateway.failActionsOf.set('int1', new UpstreamError('boom', { kind: 'unavailable' }));
    const catalog = await service.get('a', 't');
    expect(catalog.partial).toBe(true);
    expect(catalog.entries.map((e) => e.integrationKey)).toEqual(['app0', 'app0']);

    gateway.failActionsOf.set('int0', new UpstreamError('no', { kind: 'unauthorized' }));
    await expect(service.get('b', 't')).rejects.toMatchObject({ kind: 'unauthorized' });
    expect(service.cachedIdentities).toBe(1);
  });

  it("validates arguments with each refresh's own schema, however many refreshes reuse its $id", async () => {
    const { gateway, service } = setup(1);
    const schema = (type: string) => ({ $id: 'https://schemas.example/thing', type: 'object', properties: { id: { type } }, required: ['id'] });
    let type = 'string';
    gateway.listActions = async () => [{ ...act('get-thing'), inputSchema: schema(type) }];
    let catalog = await service.get('id', 'tok');
    for (let refresh = 0; refresh < 20; refresh++) {
      type = refresh % 2 ? 'string' : 'integer';
      service.invalidate('id');
      const next = await service.get('id', 'tok');
      expect(next).not.toBe(catalog);
      catalog = next;
      const entry = catalog.get('app0_get-thing')!;
      const wanted = (entry.definition.inputSchema.properties.id as { type: string }).type;
      expect(catalog.validate(entry, { id: wanted === 'string' ? 'x' : 1 })).toEqual([]);
      expect(catalog.validate(entry, { id: wanted === 'string' ? 1 : 'x' })).toEqual([{ path: 'id', message: `must be ${wanted}` }]);
    }
  });
});
