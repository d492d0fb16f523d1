/**
 * What searching apps the customer has not connected (docs/connect.md) adds to one search-actions
 * query: the local ranking over the caller's view vs over the view widened with the not-connected
 * actions (one index of both), plus the merge rule. Catalog B (bench/search-eval), the first third of
 * its apps connected, the rest not; its held-out queries. CPU only, in process; run by hand:
 *
 *   npx ts-node --transpile-only bench/not-connected-search.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UpstreamAction, UpstreamConnection } from '../src/integrations/integration-app.gateway';
import { buildNotConnectedTools, buildToolCatalog } from '../src/integrations/tool-catalog';
import { LocalActionSearch } from '../src/tools/discovery/local-action-search';
import { connectedFirst, widenedDepth } from '../src/tools/discovery/not-connected-ranking';
import { SearchIndexCache } from '../src/tools/discovery/search-index-cache';
import { SchemaValidators } from '../src/tools/schema-validators';
import type { SourceTool } from '../src/tools/tool-source';
import type { Fixture } from '../test/emulator/fixture.types';
import { viewOf } from '../test/support/tool-view';

const dir = join(__dirname, 'search-eval');
const fixture = JSON.parse(readFileSync(join(dir, 'catalog-b/catalog-b.json'), 'utf8')) as Fixture;
const queries = (JSON.parse(readFileSync(join(dir, 'heldout-b-queries.json'), 'utf8')) as Array<{ query: string }>).map((q) => q.query);
const integrations = fixture.workspaces[0].integrations;
const split = Math.ceil(integrations.length / 3);
const toActions = (i: (typeof integrations)[number]): UpstreamAction[] =>
  i.actions.map((a) => ({
    id: `${i.key}-${a.key}`,
    key: a.key,
    name: a.name,
    description: a.description,
    integrationId: i.id,
    inputSchema: a.inputSchema,
    deactivated: false,
    archived: false,
    ...(a.type ? { type: a.type } : {}),
  }));
const connected = integrations.slice(0, split);
const others = integrations.slice(split);
const connections: UpstreamConnection[] = connected.map((i) => ({
  id: `conn-${i.key}`,
  name: i.name,
  integrationId: i.id,
  integrationKey: i.key,
  integrationName: i.name,
  disconnected: false,
  archived: false,
}));
const catalog = buildToolCatalog(connections, new Map(connected.map((i) => [i.id, toActions(i)])), new SchemaValidators());
const notConnected = buildNotConnectedTools(others, new Map(others.map((i) => [i.id, toActions(i)])), 1000);
const plain = viewOf(catalog.tools as readonly SourceTool[]);
const widened = viewOf([...catalog.tools, ...notConnected]);
const search = new LocalActionSearch(new SearchIndexCache({ maxEntries: 16, maxBytes: 512 * 1024 * 1024 }));

function perQuery(run: (q: string) => void, rounds = 20): number {
  for (const q of queries) run(q); // warm: the index is built here
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const q of queries) run(q);
  return Number(process.hrtime.bigint() - started) / 1000 / (rounds * queries.length);
}

function build(view: ReturnType<typeof viewOf>): number {
  const started = process.hrtime.bigint();
  new LocalActionSearch(new SearchIndexCache({ maxEntries: 1, maxBytes: 512 * 1024 * 1024 })).searchNow(view, { query: 'x', limit: 1 });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const plainUs = perQuery((q) => search.searchNow(plain, { query: q, limit: 10 }));
const widenedUs = perQuery((q) => connectedFirst(q, search.searchNow(widened, { query: q, limit: widenedDepth(10) }).hits, 10));
console.log(
  `catalog B: ${catalog.size} connected actions (${connected.length} apps), ${notConnected.length} not connected (${others.length} apps); ${queries.length} queries`,
);
console.log(`index build: connected only ${build(plain).toFixed(1)} ms, widened ${build(widened).toFixed(1)} ms (once per identity and catalog version)`);
console.log(`per query (limit 10): connected only ${plainUs.toFixed(0)} µs, widened + merge ${widenedUs.toFixed(0)} µs`);
