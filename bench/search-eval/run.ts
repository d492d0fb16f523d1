/**
 * `npm run bench:search` — search quality and cost of `search-actions`.
 *
 * For each evaluation set (SEARCH_EVAL_SET = dev | a | b | c | d | e | f | g | h | all, or a comma-separated list, default all): builds the set's
 * catalog exactly as the server does, runs every query through the server's search (the local
 * ranker with the read-safe ordering, as `search-actions` answers with no provider configured) and
 * through a plain BM25 baseline (MiniSearch defaults over the same fields: no stems, synonyms, field
 * weights, app recognition or intent), and prints recall@1, recall@5 and MRR per kind of query, per
 * read/write intent, for requests that name an app and those that do not, and how many read
 * requests got a destructive action first. Then the cost: search latency over 600 actions,
 * including the costliest queries a client can send.
 *
 * Sets: dev (dev-queries.json, the only one the ranking may be tuned on) and A (queries.json) over
 * test/emulator/fixtures/search-workspace.json; B to F and H (heldout-b…f, h-queries.json)
 * over catalog-b/catalog-b.json; G (heldout-g-queries.json) over catalog-c/catalog-c.json. The list is
 * in sets.ts; `all` leaves out the sets not yet run (G, H), which run only when named (`SEARCH_EVAL_SET=g,h`).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import MiniSearch from 'minisearch';
import { actionKind } from '../../src/tools/discovery/action-kind';
import { ActionSearchIndex } from '../../src/tools/discovery/action-search';
import { readSafe } from '../../src/tools/discovery/fused-action-search';
import type { SourceTool } from '../../src/tools/tool-source';
import type { Fixture } from '../../test/emulator/fixture.types';
import { generateFixture } from '../../test/emulator/generate';
import { catalogOf } from './catalog';
import { type EvalSet, SETS } from './sets';

interface Query {
  id: string;
  kind: string;
  query: string;
  apps?: string[];
  acceptable: string[];
  /** Set B: whether the request reads or writes, and whether it names the app. */
  intent?: 'read' | 'write';
  namedApp?: boolean;
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
      .map((r) => tools[r.id as number]);
}

/** The server's ranking, as `search-actions` gives it with the local ranker alone. */
function ours(tools: readonly SourceTool[]) {
  const index = new ActionSearchIndex(tools);
  return (q: Query) =>
    readSafe(
      q.query,
      index.query(q.query, { apps: q.apps, limit: 10 }).hits.map((h) => ({ tool: h.tool, score: h.score })),
    ).map((h) => h.tool);
}

/** Read or write: as annotated (set B), else by kind, else read when every acceptable action only reads. */
function intentOf(q: Query, byName: Map<string, SourceTool>): 'read' | 'write' {
  if (q.intent) return q.intent;
  if (q.kind === 'read-intent') return 'read';
  if (q.kind === 'write-intent') return 'write';
  return q.acceptable.every((name) => {
    const tool = byName.get(name);
    return tool !== undefined && actionKind(tool) === 'read';
  })
    ? 'read'
    : 'write';
}

/** Names the app: as annotated (set B), else app-named queries and those restricted with `apps`. */
function namesApp(q: Query): boolean {
  return q.namedApp ?? (q.kind === 'app-named' || !!q.apps?.length);
}

interface Row {
  n: number;
  r1: number;
  r5: number;
  mrr: number;
  destructiveFirst: number;
}

function evaluate(queries: Query[], byName: Map<string, SourceTool>, rank: (q: Query) => SourceTool[]) {
  const rows = new Map<string, Row>();
  const add = (group: string, r1: number, r5: number, rr: number, destructive: number) => {
    const row = rows.get(group) ?? { n: 0, r1: 0, r5: 0, mrr: 0, destructiveFirst: 0 };
    row.n++;
    row.r1 += r1;
    row.r5 += r5;
    row.mrr += rr;
    row.destructiveFirst += destructive;
    rows.set(group, row);
  };
  const misses: string[] = [];
  const details: string[] = [];
  for (const q of queries) {
    const ranked = rank(q);
    const first = ranked.findIndex((t) => q.acceptable.includes(t.definition.name));
    const r1 = first === 0 ? 1 : 0;
    const r5 = first >= 0 && first < 5 ? 1 : 0;
    const rr = first >= 0 ? 1 / (first + 1) : 0;
    const intent = intentOf(q, byName);
    const destructive = intent === 'read' && ranked[0] !== undefined && actionKind(ranked[0]) === 'destructive' ? 1 : 0;
    for (const group of [`kind: ${q.kind}`, `intent: ${intent}`, namesApp(q) ? 'app named' : 'no app named', 'all']) add(group, r1, r5, rr, destructive);
    if (!r5) misses.push(q.id);
    if (!r1)
      details.push(
        `${q.id} [${q.kind}] ${first < 0 ? 'miss' : `@${first + 1}`} "${q.query}" → ${ranked
          .slice(0, 3)
          .map((t) => t.definition.name)
          .join(', ')} (want ${q.acceptable.slice(0, 2).join(', ')})`,
      );
  }
  return { rows, misses, details };
}

/** Every set's rows summed (SEARCH_EVAL_SET=all): the pool the ranking is tuned on. */
const pooled = { ours: new Map<string, Row>(), bm25: new Map<string, Row>() };
function pool(into: Map<string, Row>, rows: Map<string, Row>): void {
  for (const [g, r] of rows) {
    const to = into.get(g) ?? { n: 0, r1: 0, r5: 0, mrr: 0, destructiveFirst: 0 };
    into.set(g, { n: to.n + r.n, r1: to.r1 + r.r1, r5: to.r5 + r.r5, mrr: to.mrr + r.mrr, destructiveFirst: to.destructiveFirst + r.destructiveFirst });
  }
}

function qualityReport(set: EvalSet): string[] {
  const fixture = JSON.parse(readFileSync(join(__dirname, set.fixture), 'utf8')) as Fixture;
  const queries = JSON.parse(readFileSync(join(__dirname, set.file), 'utf8')) as Query[];
  const catalog = catalogOf(fixture);
  const byName = new Map(catalog.tools.map((t) => [t.definition.name, t as SourceTool]));
  const mine = evaluate(queries, byName, ours(catalog.tools));
  const plain = evaluate(queries, byName, baseline(catalog.tools));
  pool(pooled.ours, mine.rows);
  pool(pooled.bm25, plain.rows);
  const order = (g: string) => (g === 'all' ? 3 : g.startsWith('kind') ? 0 : g.startsWith('intent') ? 1 : 2);
  const groups = [...mine.rows.keys()].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const f = (x: number) => x.toFixed(2);
  return [
    `### Set ${set.name}: ${queries.length} queries over ${catalog.size} actions of ${new Set(catalog.tools.map((t) => t.app)).size} apps (bench/search-eval/${set.file})`,
    '',
    '| group | queries | r@1 | r@5 | MRR | destructive first | BM25 r@1 | BM25 r@5 | BM25 MRR | BM25 destructive first |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...groups.map((g) => {
      const o = mine.rows.get(g)!;
      const b = plain.rows.get(g)!;
      return `| ${g} | ${o.n} | ${f(o.r1 / o.n)} | ${f(o.r5 / o.n)} | ${f(o.mrr / o.n)} | ${o.destructiveFirst} | ${f(b.r1 / b.n)} | ${f(b.r5 / b.n)} | ${f(b.mrr / b.n)} | ${b.destructiveFirst} |`;
    }),
    '',
    `Not in our top 5: ${mine.misses.join(', ') || 'none'}`,
    '',
    ...(process.env.SEARCH_EVAL_DETAIL === '1' ? ['Not first:', ...mine.details, ''] : []),
  ];
}

function poolReport(): string[] {
  const f = (x: number) => x.toFixed(3);
  const order = (g: string) => (g === 'all' ? 3 : g.startsWith('kind') ? 0 : g.startsWith('intent') ? 1 : 2);
  return [
    '### Pool of every set above',
    '',
    '| group | queries | r@1 | r@5 | MRR | destructive first | BM25 r@1 | BM25 r@5 |',
    '|---|---|---|---|---|---|---|---|',
    ...[...pooled.ours.keys()]
      .sort((a, b) => order(a) - order(b) || a.localeCompare(b))
      .map((g) => {
        const o = pooled.ours.get(g)!;
        const b = pooled.bm25.get(g)!;
        return `| ${g} | ${o.n} | ${f(o.r1 / o.n)} | ${f(o.r5 / o.n)} | ${f(o.mrr / o.n)} | ${o.destructiveFirst} | ${f(b.r1 / b.n)} | ${f(b.r5 / b.n)} |`;
      }),
    '',
  ];
}

function rnd(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(97 + Math.floor(Math.random() * 26));
  return out;
}

function costReport(): string[] {
  const fixture = JSON.parse(readFileSync(join(__dirname, SETS.a.fixture), 'utf8')) as Fixture;
  const queries = [SETS.dev, SETS.a].flatMap((s) => JSON.parse(readFileSync(join(__dirname, s.file), 'utf8')) as Query[]);
  // 600 actions: the evaluation workspace plus synthetic apps.
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
  const index = new ActionSearchIndex(big.tools);
  const buildMs = performance.now() - started;
  const measure = (texts: string[], rounds: number) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    // Round 0 warms the JIT and is not counted.
    for (let round = 0; round <= rounds; round++) {
      for (const text of texts) {
        started = performance.now();
        const cpuStart = process.cpuUsage();
        readSafe(
          text,
          index.query(text, { limit: 10 }).hits.map((h) => ({ tool: h.tool, score: h.score })),
        );
        const used = process.cpuUsage(cpuStart);
        if (round > 0) {
          wall.push(performance.now() - started);
          cpu.push((used.user + used.system) / 1000);
        }
      }
    }
    const pct = (times: number[], p: number) => [...times].sort((a, b) => a - b)[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(2);
    // CPU time is what one search costs; wall time adds the waits of a shared machine (see the load average).
    return (
      `wall p50 ${pct(wall, 50)} ms, p95 ${pct(wall, 95)} ms, p99 ${pct(wall, 99)} ms, max ${Math.max(...wall).toFixed(2)} ms; ` +
      `CPU p50 ${pct(cpu, 50)} ms, p95 ${pct(cpu, 95)} ms, p99 ${pct(cpu, 99)} ms over ${wall.length} searches`
    );
  };
  const normal = measure(
    queries.map((q) => q.query),
    10,
  );
  const costly = Array.from({ length: 30 }, (_, i) =>
    i % 3 === 0 ? 'a'.repeat(1000) : i % 3 === 1 ? rnd(1000) : Array.from({ length: 31 }, () => rnd(31)).join(' '),
  );
  const worst = measure(costly, 5);
  return [
    `### Cost with ${big.size} actions (${process.version}, one core)`,
    '',
    `- index build: ${buildMs.toFixed(1)} ms (once per catalog version and view, shared across tenants)`,
    `- search, the ${queries.length} dev + A queries: ${normal}`,
    `- search, costliest inputs (1,000-char words, 31 random 31-char words): ${worst}`,
    `- heap used: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB; load average during the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} on ${cpus().length} cores`,
  ];
}

function main(): void {
  const which = (process.env.SEARCH_EVAL_SET ?? 'all').toLowerCase();
  // A comma-separated list runs several sets and pools them (`dev,a,b,c,d`).
  const sets = which === 'all' ? Object.values(SETS).filter((s) => !s.unrun) : which.split(',').map((k) => SETS[k.trim()]);
  if (sets.some((s) => !s)) throw new Error(`SEARCH_EVAL_SET must be one of ${Object.keys(SETS).join(', ')} or all`);
  const lines = ['## Search quality (bench/search-eval)', '', ...sets.flatMap(qualityReport)];
  if (sets.length > 1) lines.push(...poolReport());
  if (process.env.SEARCH_EVAL_COST !== '0') lines.push(...costReport());
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
