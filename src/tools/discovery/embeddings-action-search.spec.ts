import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { EmbeddingsServer, startEmbeddingsServer } from '../../../test/support/embeddings-server';
import { testRedisUrl } from '../../../test/support/redis-server';
import { searchContext, viewOf } from '../../../test/support/tool-view';
import type { SessionsConfig } from '../../config/app.config';
import type { SearchConfig } from '../../config/search.config';
import { annotationsFor } from '../../integrations/tool-annotations';
import type { SourceTool } from '../tool-source';
import { EmbeddingsActionSearch } from './embeddings-action-search';
import { FusedActionSearch } from './fused-action-search';
import { LocalActionSearch } from './local-action-search';
import { SearchIndexCache } from './search-index-cache';

function tool(app: string, key: string, name: string, description: string): SourceTool {
  const title = `${app}: ${name}`;
  return {
    app,
    definition: { name: `${app}_${key}`, title, description, inputSchema: { type: 'object', properties: {} }, annotations: annotationsFor(title, key, name) },
  };
}

const TOOLS: SourceTool[] = [
  tool('stripe', 'create-refund', 'Create Refund', 'Refunds a charge to the customer card.'),
  tool('stripe', 'list-charges', 'List Charges', 'Lists card charges.'),
  tool('xero', 'create-invoice', 'Create Invoice', 'Creates a sales invoice for a contact.'),
  tool('xero', 'delete-invoice', 'Delete Invoice', 'Deletes a draft invoice.'),
  tool('github', 'list-branches', 'List Branches', 'Lists branches of a repository.'),
  tool('github', 'create-branch', 'Create Branch', 'Creates a branch from a commit.'),
];

describe('EmbeddingsActionSearch (against a local OpenAI-compatible stand-in)', () => {
  let stand: EmbeddingsServer;
  const prefixes: string[] = [];
  const instances: EmbeddingsActionSearch[] = [];

  beforeEach(async () => {
    stand = await startEmbeddingsServer();
  });
  afterEach(async () => {
    for (const i of instances.splice(0)) await i.onModuleDestroy();
    await stand.close();
  });
  afterAll(async () => {
    const raw = new Redis(testRedisUrl());
    for (const p of prefixes) {
      const keys = await raw.keys(`${p}*`);
      if (keys.length) await raw.del(...keys);
    }
    await raw.quit();
  });

  function provider(opts: { timeoutMs?: number; redis?: string; apiKey?: string; url?: string } = {}) {
    const search = {
      embeddings: { url: opts.url ?? `${stand.url}/embeddings`, model: 'stand-in', apiKey: opts.apiKey, timeoutMs: opts.timeoutMs ?? 2000 },
    } as unknown as SearchConfig;
    const sessions = { redisUrl: opts.redis, redisKeyPrefix: opts.redis ? (prefixes[prefixes.length - 1] ?? 'x:') : 'x:' } as unknown as SessionsConfig;
    const p = new EmbeddingsActionSearch(new SearchIndexCache({ maxEntries: 10, maxBytes: 1e8 }), search, sessions);
    instances.push(p);
    return p;
  }

  it('ranks actions by similarity to the request, alone; the key goes as a bearer token', async () => {
    const p = provider({ apiKey: 'sk-test' });
    expect(p.enabled()).toBe(true);
    const result = await p.search(searchContext(), viewOf(TOOLS), { query: 'refund the charge on the card', limit: 3 });
    expect(result?.hits[0].tool.definition.name).toBe('stripe_create-refund');
    expect(result?.hits[0].score).toBe(1);
    expect(stand.authorizations.every((a) => a === 'Bearer sk-test')).toBe(true);
    const narrowed = await p.search(searchContext(), viewOf(TOOLS), { query: 'create', apps: ['github'], limit: 5 });
    expect(narrowed?.hits.every((h) => h.tool.app === 'github')).toBe(true);
  });

  it('embeds the actions once per catalog version; later searches embed only the query', async () => {
    const p = provider();
    const view = viewOf(TOOLS);
    await p.search(searchContext(), view, { query: 'list branches', limit: 3 });
    expect(stand.inputs.length).toBe(TOOLS.length + 1);
    await p.search(searchContext(), viewOf([...TOOLS]), { query: 'create an invoice', limit: 3 });
    await p.search(searchContext(), view, { query: 'list branches', limit: 3 });
    // The same view content shares vectors; a repeated query is cached too.
    expect(stand.inputs.length).toBe(TOOLS.length + 2);
  });

  it('shares action vectors through Redis: a second replica embeds no action again', async () => {
    prefixes.push(`test-emb-${randomUUID()}:`);
    const first = provider({ redis: testRedisUrl() });
    await first.search(searchContext(), viewOf(TOOLS), { query: 'list branches', limit: 3 });
    const before = stand.inputs.length;
    const second = provider({ redis: testRedisUrl() });
    const result = await second.search(searchContext(), viewOf(TOOLS), { query: 'create a branch', limit: 3 });
    expect(result?.hits[0].tool.definition.name).toBe('github_create-branch');
    expect(stand.inputs.slice(before)).toEqual(['create a branch']);
  });

  it('gives up at the timeout and on errors (undefined), and the fused search answers with the local ranking', async () => {
    const p = provider({ timeoutMs: 100 });
    stand.delayMs = 1000;
    const started = Date.now();
    expect(await p.search(searchContext(), viewOf(TOOLS), { query: 'refund the charge', limit: 3 })).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(900);
    stand.delayMs = 0;
    stand.failWith = 500;
    const failing = provider({ timeoutMs: 500 });
    expect(await failing.search(searchContext(), viewOf(TOOLS), { query: 'refund the charge', limit: 3 })).toBeUndefined();
    const fused = new FusedActionSearch(new LocalActionSearch(new SearchIndexCache({ maxEntries: 10, maxBytes: 1e8 })));
    fused.useProviders([failing]);
    const answer = await fused.search(searchContext(), viewOf(TOOLS), { query: 'refund the charge', limit: 3 });
    expect(answer.hits[0].tool.definition.name).toBe('stripe_create-refund');
  });

  it('sends at most MAX_QUERY_LENGTH characters of a query', async () => {
    const p = provider();
    await p.search(searchContext(), viewOf(TOOLS), { query: `list ${'x'.repeat(5000)}`, limit: 3 });
    expect(Math.max(...stand.inputs.map((i) => i.length))).toBeLessThanOrEqual(2000);
  });

  it('is off without an endpoint', () => {
    const p = new EmbeddingsActionSearch(
      new SearchIndexCache({ maxEntries: 1, maxBytes: 1e6 }),
      { embeddings: undefined } as unknown as SearchConfig,
      { redisKeyPrefix: 'x:' } as unknown as SessionsConfig,
    );
    expect(p.enabled()).toBe(false);
  });
});
