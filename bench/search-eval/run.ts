/**
 * `npm run bench:search` — search quality and latency of `search-actions`.
 *
 * Builds the tool catalog of the evaluation workspace (test/emulator/fixtures/search-workspace.json)
 * exactly as the server does, runs every query of bench/search-eval/queries.json (written before the
 * ranking, see README there) through the server's index and through a plain BM25 baseline (MiniSearch
 * defaults over the same fields: no stems, synonyms, field weights, app narrowing or intent), and
 * prints recall@1, recall@5 and MRR by kind of query, then search latency with 600 actions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import MiniSearch from 'minisearch';
import { buildToolCatalog } from '../../src/integrations/tool-catalog';
import type { UpstreamAction, UpstreamConnection } from '../../src/integrations/integration-app.gateway';
import { ActionSearchIndex } from '../../src/tools/discovery/action-search';
import { SchemaValidators } from '../../src/tools/schema-validators';
import type { SourceTool } from '../../src/tools/tool-source';
import type { Fixture } from '../../test/emulator/fixture.types';
import { generateFixture } from '../../test/emulator/generate';

interface Query {
  id: string;
  kind: string;
  query: string;
  apps?: string[];
  acceptable: string[];
}

function catalogOf(fixture: Fixture) {
  const ws = fixture.workspaces[0];
  const customer = ws.customers[0];
  const connections: UpstreamConnection[] = customer.connections.map((c) => {
    const integration = ws.integrations.find((i) => i.key === c.integrationKey)!;
    return {
      id: c.id,
      name: c.name,
      integrationId: integration.id,
      integrationKey: integration.key,
      integrationName: integration.name,
      disconnected: !!c.disconnected,
      archived: !!c.archived,
    };
  });
  const actions = new Map<string, UpstreamAction[]>(
    ws.integrations.map((i) => [
      i.id,
      i.actions.map((a) => ({
        id: a.id ?? `${i.key}-${a.key}`,
        key: a.key,
        name: a.name,
        description: a.description,
        integrationId: i.id,
        inputSchema: a.inputSchema,
        deactivated: !!a.isDeactivated,
        archived: !!a.archived,
      })),
    ]),
  );
  return buildToolCatalog(connections, actions, new SchemaValidators());
}

/** Plain BM25 over the same text, nothing else. */
function baseline(tools: readonly SourceTool[]) {
  const search = new MiniSearch<{ id: number }>({ fields: ['name', 'title', 'app', 'description', 'props'] });
  search.addAll(
    tools.map((t, id) => ({
      id,
      name: t.definition.name,
      title: t.definition.title ?? '',
      app: t.app ?? '',
      description: t.definition.description ?? '',
      props: Object.keys((t.definition.inputSchema as { properties?: object }).properties ?? {}).join(' '),
    })),
  );
  return (q: Query) =>
    search
      .search(q.query, { filter: (r) => !q.apps || q.apps.includes(tools[r.id as number].app ?? '') })
      .slice(0, 10)
      .map((r) => tools[r.id as number].definition.name);
}

function evaluate(queries: Query[], rank: (q: Query) => string[]) {
  const byKind = new Map<string, { n: number; r1: number; r5: number; mrr: number }>();
  const add = (kind: string, r1: number, r5: number, rr: number) => {
    const row = byKind.get(kind) ?? { n: 0, r1: 0, r5: 0, mrr: 0 };
    row.n++;
    row.r1 += r1;
    row.r5 += r5;
    row.mrr += rr;
    byKind.set(kind, row);
  };
  const misses: string[] = [];
  for (const q of queries) {
    const ranked = rank(q);
    const first = ranked.findIndex((name) => q.acceptable.includes(name));
    const r1 = first === 0 ? 1 : 0;
    const r5 = first >= 0 && first < 5 ? 1 : 0;
    const rr = first >= 0 ? 1 / (first + 1) : 0;
    add(q.kind, r1, r5, rr);
    add('all', r1, r5, rr);
    if (!r5) misses.push(q.id);
  }
  return { byKind, misses };
}

function main(): void {
  const fixture = JSON.parse(readFileSync(join(__dirname, '../../test/emulator/fixtures/search-workspace.json'), 'utf8')) as Fixture;
  // SEARCH_EVAL_SET=dev: the developers' own queries, the only ones the ranking may be tuned on.
  const set = process.env.SEARCH_EVAL_SET === 'dev' ? 'dev-queries.json' : 'queries.json';
  const queries = JSON.parse(readFileSync(join(__dirname, set), 'utf8')) as Query[];
  const catalog = catalogOf(fixture);
  const index = new ActionSearchIndex(catalog.tools);
  const ours = evaluate(queries, (q) => index.query(q.query, { apps: q.apps, limit: 10 }).hits.map((h) => h.tool.definition.name));
  const plain = evaluate(queries, baseline(catalog.tools));

  const kinds = [...ours.byKind.keys()]
    .filter((k) => k !== 'all')
    .sort()
    .concat('all');
  const f = (x: number) => x.toFixed(2);
  const lines = [
    `Search quality (${set}): ${queries.length} queries over ${catalog.size} actions of ${new Set(catalog.tools.map((t) => t.app)).size} apps (bench/search-eval)`,
    '',
    '| kind | queries | recall@1 | recall@5 | MRR | BM25 recall@1 | BM25 recall@5 | BM25 MRR |',
    '|---|---|---|---|---|---|---|---|',
    ...kinds.map((k) => {
      const o = ours.byKind.get(k)!;
      const b = plain.byKind.get(k)!;
      return `| ${k} | ${o.n} | ${f(o.r1 / o.n)} | ${f(o.r5 / o.n)} | ${f(o.mrr / o.n)} | ${f(b.r1 / b.n)} | ${f(b.r5 / b.n)} | ${f(b.mrr / b.n)} |`;
    }),
    '',
    ...(set === 'queries.json' ? [] : [`Not in the top 5: ${ours.misses.join(', ') || 'none'}`]),
  ];

  // Latency at 600 actions: the evaluation workspace plus synthetic apps.
  const synthetic = generateFixture({ connections: 11, actionsPerIntegration: 30 });
  const merged: Fixture = {
    workspaces: [
      {
        ...fixture.workspaces[0],
        integrations: [...fixture.workspaces[0].integrations, ...synthetic.workspaces[0].integrations],
        customers: [
          {
            ...fixture.workspaces[0].customers[0],
            connections: [...fixture.workspaces[0].customers[0].connections, ...synthetic.workspaces[0].customers[0].connections],
          },
        ],
      },
    ],
  };
  const big = catalogOf(merged);
  let started = performance.now();
  const bigIndex = new ActionSearchIndex(big.tools);
  const buildMs = performance.now() - started;
  const times: number[] = [];
  for (let round = 0; round < 20; round++) {
    for (const q of queries) {
      started = performance.now();
      bigIndex.query(q.query, { apps: q.apps, limit: 10 });
      times.push(performance.now() - started);
    }
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(2);
  lines.push(
    '',
    `Latency with ${big.size} actions: index build ${buildMs.toFixed(1)} ms (once per catalog version); ` +
      `search p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms over ${times.length} searches; heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
