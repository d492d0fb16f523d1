import { IntegrationAppClient } from '@integration-app/sdk';
import { startEmulator, Emulator } from './emulator';
import { signJwt } from '../support/jwt';
import { e2eFixture, SECRET, WORKSPACE } from '../support/e2e-fixture';

/** The emulator, driven by the real @integration-app/sdk client (the same calls the server makes). */
describe('Integration.app emulator', () => {
  let emulator: Emulator;
  const sdk = (token: string) => new IntegrationAppClient({ apiUri: emulator.url, token });

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture(), pageSize: 2 });
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.clearFaults();
    emulator.clearRequests();
  });

  it('pages connections and actions with cursors, as the SDK reads them', async () => {
    const client = sdk(emulator.token('cust-1'));
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.connections.find({ limit: 2, cursor });
      ids.push(...page.items.map((c) => c.id));
      cursor = page.cursor;
    } while (cursor);
    expect(ids).toEqual(['conn-gmail', 'conn-slack-a', 'conn-slack-b', 'conn-notion-off', 'conn-jira-arch']);
    const actions = await client.actions.findAll({ integrationId: 'int-gmail' });
    expect(actions).toHaveLength(12);
    expect(actions.find((a) => a.key === 'old-action')).toMatchObject({ isDeactivated: true });
    expect(actions.find((a) => a.key === 'gone-action')?.archivedAt).toBeDefined();
  });

  it("runs actions on the customer's connections and echoes the input", async () => {
    const client = sdk(emulator.token('cust-1'));
    const echoed = await client
      .connection('conn-gmail')
      .action('send-email')
      .run({ to: ['x@y.z'] });
    expect(echoed).toEqual({ output: { ok: true, connectionId: 'conn-gmail', actionKey: 'send-email', input: { to: ['x@y.z'] } } });
    expect(await client.connection('conn-gmail').action('count-unread').run({})).toEqual({ output: 0 });
    expect(emulator.requests.at(-1)).toMatchObject({ method: 'POST', path: '/connections/conn-gmail/actions/count-unread/run', customerId: 'cust-1' });
  });

  it('keeps customers apart and reports errors as {type, key, message}', async () => {
    const other = sdk(emulator.token('cust-2'));
    await expect(other.connection('conn-gmail').action('send-email').run({})).rejects.toMatchObject({ data: { type: 'bad_request', key: 'not_found' } });
    await expect(sdk(emulator.token('cust-1')).connection('conn-notion-off').action('search').run({})).rejects.toMatchObject({
      data: { type: 'connection', key: 'connection_is_defunct' },
    });
  });

  it('verifies HS256/HS512 tokens with the workspace secret and rejects the rest with 401', async () => {
    expect(await sdk(emulator.token('cust-1', { alg: 'HS512' })).self.get()).toMatchObject({ id: 'cust-1' });
    const wrongSecret = signJwt({ id: 'cust-1', iss: WORKSPACE }, 'nope');
    const expired = signJwt({ id: 'cust-1', iss: WORKSPACE, exp: 1 }, SECRET);
    const noCustomer = signJwt({ iss: WORKSPACE }, SECRET);
    for (const token of [wrongSecret, expired, noCustomer]) {
      const res = await fetch(`${emulator.url}/connections`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ type: 'bad_request', key: 'not_authenticated' });
    }
  });

  it('injects faults: status + JSON, raw HTML, dropped connections, delays, a limited number of times', async () => {
    const token = emulator.token('cust-1');
    const get = () => fetch(`${emulator.url}/self`, { headers: { Authorization: `Bearer ${token}` } });
    emulator.addFault({
      path: '/self',
      status: 429,
      headers: { 'Retry-After': '3' },
      body: { type: 'bad_request', key: 'rate_limit_exceeded', message: 'slow down' },
      times: 1,
    });
    const limited = await get();
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
    expect((await get()).status).toBe(200);
    emulator.addFault({ path: '/self', status: 502, rawBody: '<html>bad gateway</html>', times: 1 });
    const html = await get();
    expect(html.headers.get('content-type')).toBe('text/html');
    emulator.addFault({ path: '/self', networkError: true, times: 1 });
    await expect(get()).rejects.toThrow();
    emulator.addFault({ path: '/self', delayMs: 150, times: 1 });
    const t0 = Date.now();
    expect((await get()).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('runs a slow action for the seconds its input asks (capped), or its default; a client that leaves is recorded as abandoned', async () => {
    const client = sdk(emulator.token('cust-runs'));
    const t0 = Date.now();
    const out = await client.connection('conn-warehouse').action('export-data').run({ seconds: 0.3, table: 't' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(out).toEqual({
      output: { ok: true, connectionId: 'conn-warehouse', actionKey: 'export-data', input: { seconds: 0.3, table: 't' }, tookSeconds: 0.3 },
    });
    expect(await client.connection('conn-warehouse').action('read-snapshot').run({ seconds: 0 })).toEqual({ output: ['row-1', 'row-2'] });
    const ac = new AbortController();
    const left = fetch(`${emulator.url}/connections/conn-warehouse/actions/export-data/run`, {
      method: 'POST',
      signal: ac.signal,
      headers: { Authorization: `Bearer ${emulator.token('cust-runs')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ seconds: 3600 }),
    }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    expect(await left).toBe('aborted');
    await new Promise((r) => setTimeout(r, 50));
    expect(emulator.requests.at(-1)).toMatchObject({ path: '/connections/conn-warehouse/actions/export-data/run', abandoned: true });
  });

  it('searches actions by intent (GET /actions?intent=…) with its own simple ranking, narrowed by connectionId', async () => {
    const client = sdk(emulator.token('cust-1'));
    const found = (await client.get('/actions', { intent: 'send an email message' })) as { items: Array<{ key: string; type: string }> };
    expect(found.items[0].key).toBe('send-email');
    expect(found.items[0].type).toBe('run-javascript');
    const narrowed = (await client.get('/actions', { intent: 'send message', connectionId: 'conn-slack-a' })) as { items: Array<{ key: string }> };
    expect(narrowed.items.map((a) => a.key)).toEqual(['send-message']);
    expect(((await client.get('/actions', { intent: 'zzz qqq' })) as { items: unknown[] }).items).toEqual([]);
  });

  it("lists the workspace's integrations with the customer's connection, paged and searched as the SDK's integrations.find() asks", async () => {
    const client = sdk(emulator.token('cust-1'));
    const first = await client.integrations.find({ limit: 2 });
    expect(first.items.map((i) => i.key)).toEqual(['gmail', 'slack']);
    expect(first.cursor).toBe('2');
    const all = await client.integrations.findAll();
    expect(all.map((i) => [i.key, i.connection?.id ?? null])).toEqual([
      ['gmail', 'conn-gmail'],
      ['slack', 'conn-slack-a'],
      ['notion', 'conn-notion-off'],
      ['jira', null],
      ['warehouse', null],
      ['asana', null],
    ]);
    expect((await client.integrations.find({ search: 'asa' })).items.map((i) => i.key)).toEqual(['asana']);
    expect(emulator.requests.at(-1)).toMatchObject({ method: 'GET', path: '/integrations', query: { search: 'asa' } });
  });

  it('serves the connection page of the UI: GET shows a button, POST connects the app for the token’s customer only', async () => {
    const fixture = e2eFixture();
    const own = await startEmulator({ fixture });
    try {
      const token = own.token('cust-2');
      const pageUrl = `${own.url}/embed/integrations/asana/connect?token=${encodeURIComponent(token)}`;
      const shown = await fetch(pageUrl);
      expect(shown.status).toBe(200);
      expect(shown.headers.get('content-type')).toContain('text/html');
      expect(await shown.text()).toContain('<button type="submit">Connect Asana</button>');
      const post = (t: string, key = 'asana') =>
        fetch(`${own.url}/embed/integrations/${key}/connect`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: t }).toString(),
        });
      expect((await post(signJwt({ id: 'cust-2', iss: WORKSPACE }, 'wrong-secret'))).status).toBe(401);
      expect((await post(signJwt({ id: 'cust-2', iss: WORKSPACE, exp: 1 }, SECRET))).status).toBe(401);
      expect((await post(token, 'no-such-app')).status).toBe(404);
      const done = await post(token);
      expect(done.status).toBe(200);
      expect(await done.text()).toContain('Asana is connected');
      const grace = await ownSdk(token).connections.find();
      expect(grace.items.filter((c) => c.integration?.key === 'asana')).toHaveLength(1);
      // Ada (another customer) got nothing.
      const ada = await new IntegrationAppClient({ apiUri: own.url, token: own.token('cust-1') }).connections.find();
      expect(ada.items.some((c) => c.integration?.key === 'asana')).toBe(false);
      // A second POST without allowMultipleConnections adds nothing.
      await post(token);
      expect((await ownSdk(token).connections.find()).items.filter((c) => c.integration?.key === 'asana')).toHaveLength(1);
      // The page escapes what it echoes.
      const hostile = await fetch(`${own.url}/embed/integrations/%3Cscript%3E/connect?token=${encodeURIComponent(token)}`);
      expect(await hostile.text()).not.toContain('<script>');
    } finally {
      await own.close();
    }
    function ownSdk(token: string) {
      return new IntegrationAppClient({ apiUri: own.url, token });
    }
  });
});
