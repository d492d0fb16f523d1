/**
 * search-actions with every provider on (SPEC §17): the server started with an embeddings endpoint
 * (a local OpenAI-compatible stand-in) and Integration.app's action search (the emulator), driven
 * by the real MCP client. The output contract (SPEC §12) is the same as with the local ranker alone.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { e2eFixture } from './support/e2e-fixture';
import { EmbeddingsServer, startEmbeddingsServer } from './support/embeddings-server';
import { connectHttp } from './support/mcp-client';

interface SearchOutput {
  results: Array<{ tool: string; integration: string; title: string; description: string; readOnly: boolean; score: number }>;
  total: number;
}

describe('search-actions fused with embeddings and Integration.app search', () => {
  let emulator: Emulator;
  let stand: EmbeddingsServer;
  let server: RunningApp;
  let client: Client;

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    stand = await startEmbeddingsServer();
    server = await startApp({
      INTEGRATION_APP_API_URL: emulator.url,
      INTEGRATION_APP_WORKSPACE_SECRET: undefined,
      SEARCH_EMBEDDINGS_URL: stand.url,
      SEARCH_EMBEDDINGS_MODEL: 'stand-in',
      SEARCH_EMBEDDINGS_API_KEY: 'sk-e2e-secret',
      SEARCH_EMBEDDINGS_TIMEOUT_MS: '2000',
      SEARCH_UPSTREAM: 'true',
    });
    ({ client } = await connectHttp(server.url, { token: emulator.token('cust-1'), query: { mode: 'search' } }));
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await stand?.close();
    await emulator?.close();
  });

  async function search(query: string, extra: Record<string, unknown> = {}): Promise<SearchOutput> {
    const result = await client.callTool({ name: 'search-actions', arguments: { query, ...extra } });
    expect(result.isError).toBeFalsy();
    return result.structuredContent as unknown as SearchOutput;
  }

  it('asks both providers and answers in the same shape, best first', async () => {
    emulator.clearRequests();
    const out = await search('send an email to the team');
    expect(out.results[0]).toMatchObject({ tool: 'gmail_send-email', integration: 'gmail', readOnly: false, score: 1 });
    expect(Object.keys(out.results[0]).sort()).toEqual(['connected', 'description', 'integration', 'readOnly', 'score', 'title', 'tool']);
    // The stand-in embedded the catalog's actions and the query; the emulator was asked by intent.
    expect(stand.inputs).toContain('send an email to the team');
    expect(stand.inputs.some((i) => i.startsWith('Gmail: Send Email.'))).toBe(true);
    expect(emulator.requests.some((r) => r.path === '/actions' && r.query.intent === 'send an email to the team')).toBe(true);
    // The operator's key is sent to the endpoint and never logged.
    expect(stand.authorizations).toContain('Bearer sk-e2e-secret');
    expect(server.logs.lines.join('\n')).not.toContain('sk-e2e-secret');
  });

  it('embeds the catalog once: later searches send only their query', async () => {
    await search('list my emails');
    const before = stand.inputs.length;
    await search('post a message in slack');
    await search('delete that email');
    expect(stand.inputs.slice(before)).toEqual(['post a message in slack', 'delete that email']);
  });

  it('answers from the local ranking when both providers fail', async () => {
    stand.failWith = 503;
    const remove = emulator.addFault({ path: '/actions', status: 503, times: 100 });
    try {
      const out = await search('send an email');
      expect(out.results[0].tool).toBe('gmail_send-email');
      const read = await search('show my emails');
      expect(read.results[0].readOnly).toBe(true);
    } finally {
      remove();
      stand.failWith = undefined;
    }
  });
});
