import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { connectHttp, rawPost, INIT_BODY } from './support/mcp-client';
import { e2eFixture, WORKSPACE } from './support/e2e-fixture';
import { customerToken } from './support/jwt';

/** An Integration.app API that embeds less and has no GET /self still yields the same tools and checks. */
describe('Compatibility with a sparser Integration.app API', () => {
  let emulator: Emulator;
  let server: RunningApp;
  let client: Client;

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture(), connectionsWithoutIntegration: true, withoutSelf: true });
    server = await startApp({ INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_SECRET: undefined, UPSTREAM_RETRIES: '0' });
    ({ client } = await connectHttp(server.url, { token: emulator.token('cust-1') }));
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await emulator?.close();
  });

  it('resolves integration keys and names when connections carry only integrationId', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['gmail_send-email', 'slack_send-message']));
    expect(tools.find((t) => t.name === 'gmail_send-email')!.title).toBe('Gmail: Send Email');
    expect(emulator.requests.filter((r) => r.path.startsWith('/integrations/')).length).toBeGreaterThan(0);
  });

  it('verifies tokens without GET /self, and still rejects forged ones', async () => {
    const forged = customerToken({ workspaceKey: WORKSPACE, secret: 'wrong', customerId: 'cust-1' });
    const res = await rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${forged}` });
    expect(res.status).toBe(401);
    const result = await client.callTool({ name: 'gmail_count-unread', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: '0' }]);
  });
});
