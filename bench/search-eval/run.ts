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
 * over catalog-b/catalog-b.json; G and J (heldout-g, j-queries.json) over catalog-c/catalog-c.json; I
 * (heldout-i-queries.json) over catalog-d/catalog-d.json. The list is in sets.ts; `all` leaves out the
 * sets not yet run (`unrun`: I, J), which run only when named (`SEARCH_EVAL_SET=i,j`).
 *
 * With an embeddings provider (SEARCH_EVAL_EMBEDDINGS=use: the Universal Sentence Encoder server of
 * use-embeddings-server.ts; or SEARCH_EVAL_EMBEDDINGS_URL + SEARCH_EVAL_EMBEDDINGS_MODEL: any
 * OpenAI-compatible endpoint) every query also goes through the server's FusedActionSearch with the
 * EmbeddingsActionSearch provider configured (fused-eval.ts), reported beside the local ranking and
 * BM25 with the embeddings provider's own list, the queries that fell back and the cost per query.
 * Without those variables the output is the same as before.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { actionKind } from '../../src/tools/discovery/action-kind';
import { ActionSearchIndex, DEFAULT_WEIGHTS, type RankingWeights } from '../../src/tools/discovery/action-search';
import { readSafe, safeTop, SEARCH_DEPTH } from '../../src/tools/discovery/fused-action-search';
import type { SourceTool } from '../../src/tools/tool-source';
import type { Fixture } from '../../test/emulator/fixture.types';
import { generateFixture } from '../../test/emulator/generate';
import { catalogOf, plainBm25 } from './catalog';
import type { FusedEval, FusedRanking } from './fused-eval';
import { type EvalQuery, type EvalSet, SETS } from './sets';

type Query = EvalQuery;

/** Plain BM25 over the same text, nothing else. */
function baseline(tools: readonly SourceTool[]) {
  const search = plainBm25(tools);
  return (q: Query) =>
    search
      .search(q.query, { filter: (r) => !q.apps || q.apps.includes(tools[r.id as number].app ?? '') })
      .slice(0, 10)
      .map((r) => tools[r.id as number]);
}

/** SEARCH_EVAL_WEIGHTS (JSON merged into the shipped weights): a trial of other weights, never the default. */
function trialWeights(): RankingWeights | undefined {
  return process.env.SEARCH_EVAL_WEIGHTS ? { ...DEFAULT_WEIGHTS, ...(JSON.parse(process.env.SEARCH_EVAL_WEIGHTS) as Partial<RankingWeights>) } : undefined;
}

/** The server's ranking, as `search-actions` gives it with the local ranker alone. */
function ours(tools: readonly SourceTool[]) {
  const index = new ActionSearchIndex(tools, trialWeights());
  // As FusedActionSearch answers with the local ranker alone: read SEARCH_DEPTH deep, the first 10 in the safety order.
  return (q: Query) =>
    safeTop(
      q.query,
      index.query(q.query, { apps: q.apps, limit: SEARCH_DEPTH }).hits.map((h) => ({ tool: h.tool, score: h.score })),
      10,
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
const pooled = { ours: new Map<string, Row>(), bm25: new Map<string, Row>(), fused: new Map<string, Row>(), embeddings: new Map<string, Row>() };
/** With an embeddings provider: every fused search (cost, fallbacks) and where fusion changed the first hit. */
const fusedRuns: FusedRanking[] = [];
const fusionChanges = { won: [] as string[], lost: [] as string[] };
/**
 * SEARCH_EVAL_FUSION_VARIANTS=1 (a diagnostic of the bench, not the server's fusion): the same two
 * lists (local 50 deep, embeddings 50 deep) fused by weighted reciprocal rank fusion
 * (sum of w / (k + rank)), then the read-safe ordering. k 60 with weight 1 is the server's fusion.
 */
const FUSION_VARIANTS = [
  { k: 60, w: 1 },
  { k: 60, w: 0.5 },
  { k: 60, w: 0.25 },
  { k: 10, w: 1 },
  { k: 10, w: 0.5 },
  { k: 10, w: 0.25 },
];
const variantRows = FUSION_VARIANTS.map(() => new Map<string, Row>());
function weightedFusion(query: string, local: readonly SourceTool[], embeddings: readonly SourceTool[] | undefined, k: number, w: number): SourceTool[] {
  if (!embeddings)
    return readSafe(
      query,
      local.map((tool, i) => ({ tool, score: 1 / (i + 1) })),
    )
      .slice(0, 10)
      .map((h) => h.tool);
  const sums = new Map<SourceTool, { sum: number; best: number }>();
  const add = (list: readonly SourceTool[], weight: number) =>
    list.forEach((tool, rank) => {
      const e = sums.get(tool) ?? { sum: 0, best: Infinity };
      e.sum += weight / (k + rank + 1);
      e.best = Math.min(e.best, rank);
      sums.set(tool, e);
    });
  add(local, 1);
  add(embeddings, w);
  const fused = [...sums.entries()].sort((a, b) => b[1].sum - a[1].sum || a[1].best - b[1].best || a[0].definition.name.localeCompare(b[0].definition.name));
  const top = fused[0]?.[1].sum || 1;
  return readSafe(
    query,
    fused.map(([tool, e]) => ({ tool, score: e.sum / top })),
  )
    .slice(0, 10)
    .map((h) => h.tool);
}
function pool(into: Map<string, Row>, rows: Map<string, Row>): void {
  for (const [g, r] of rows) {
    const to = into.get(g) ?? { n: 0, r1: 0, r5: 0, mrr: 0, destructiveFirst: 0 };
    into.set(g, { n: to.n + r.n, r1: to.r1 + r.r1, r5: to.r5 + r.r5, mrr: to.mrr + r.mrr, destructiveFirst: to.destructiveFirst + r.destructiveFirst });
  }
}

/** The set's queries through the fused search (embeddings provider configured), in order. */
async function fusedRankings(fe: FusedEval, tools: readonly SourceTool[], queries: Query[]) {
  const { view, ms } = await fe.prepare(tools);
  const out = new Map<string, FusedRanking>();
  for (const q of queries) {
    const r = await fe.rank(view, q);
    out.set(q.id, r);
    fusedRuns.push(r);
  }
  return { out, prepareMs: ms };
}

async function qualityReport(set: EvalSet, fe?: FusedEval): Promise<string[]> {
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
  if (fe) return fusedQualityReport(set, fe, { queries, catalog, byName, mine, plain, groups, f });
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

async function fusedQualityReport(
  set: EvalSet,
  fe: FusedEval,
  c: {
    queries: Query[];
    catalog: ReturnType<typeof catalogOf>;
    byName: Map<string, SourceTool>;
    mine: ReturnType<typeof evaluate>;
    plain: ReturnType<typeof evaluate>;
    groups: string[];
    f: (x: number) => string;
  },
): Promise<string[]> {
  const { out, prepareMs } = await fusedRankings(fe, c.catalog.tools, c.queries);
  const fused = evaluate(c.queries, c.byName, (q) => out.get(q.id)!.fused);
  const emb = evaluate(c.queries, c.byName, (q) => out.get(q.id)!.embeddings ?? []);
  pool(pooled.fused, fused.rows);
  pool(pooled.embeddings, emb.rows);
  FUSION_VARIANTS.forEach((v, i) =>
    pool(
      variantRows[i],
      evaluate(c.queries, c.byName, (q) => {
        const r = out.get(q.id)!;
        return weightedFusion(q.query, r.local, r.embeddings, v.k, v.w);
      }).rows,
    ),
  );
  const fellBack = c.queries.filter((q) => out.get(q.id)!.fellBack).map((q) => q.id);
  const firstOk = (q: Query, ranked: readonly SourceTool[]) => ranked[0] !== undefined && q.acceptable.includes(ranked[0].definition.name);
  const won: string[] = [];
  const lost: string[] = [];
  const localRank = ours(c.catalog.tools);
  for (const q of c.queries) {
    const local = firstOk(q, localRank(q));
    const withEmb = firstOk(q, out.get(q.id)!.fused);
    if (withEmb && !local) won.push(`${q.id} [${q.kind}]`);
    if (local && !withEmb) lost.push(`${q.id} [${q.kind}]`);
  }
  fusionChanges.won.push(...won);
  fusionChanges.lost.push(...lost);
  const detail = (q: Query) => {
    const r = out.get(q.id)!;
    const at = (list: readonly SourceTool[] | undefined) => {
      const i = (list ?? []).findIndex((t) => q.acceptable.includes(t.definition.name));
      return i < 0 ? '-' : String(i + 1);
    };
    return `${q.id} [${q.kind}] "${q.query}": local @${at(r.local)}, embeddings @${at(r.embeddings)}, fused @${at(r.fused)} → ${r.fused
      .slice(0, 3)
      .map((t) => t.definition.name)
      .join(', ')} (want ${q.acceptable.slice(0, 2).join(', ')})`;
  };
  const byId = new Map(c.queries.map((q) => [q.id, q]));
  return [
    `### Set ${set.name}: ${c.queries.length} queries over ${c.catalog.size} actions of ${new Set(c.catalog.tools.map((t) => t.app)).size} apps (bench/search-eval/${set.file})`,
    '',
    `Local = the local ranking alone (the default); fused = with the embeddings provider (${fe.label}); embeddings alone = the provider's own list.`,
    '',
    '| group | queries | local r@1 | local r@5 | local MRR | local destructive first | fused r@1 | fused r@5 | fused MRR | fused destructive first | embeddings alone r@1 | embeddings alone r@5 | BM25 r@1 | BM25 r@5 | BM25 MRR | BM25 destructive first |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...c.groups.map((g) => {
      const o = c.mine.rows.get(g)!;
      const u = fused.rows.get(g)!;
      const e = emb.rows.get(g)!;
      const b = c.plain.rows.get(g)!;
      const f = c.f;
      return `| ${g} | ${o.n} | ${f(o.r1 / o.n)} | ${f(o.r5 / o.n)} | ${f(o.mrr / o.n)} | ${o.destructiveFirst} | ${f(u.r1 / u.n)} | ${f(u.r5 / u.n)} | ${f(u.mrr / u.n)} | ${u.destructiveFirst} | ${f(e.r1 / e.n)} | ${f(e.r5 / e.n)} | ${f(b.r1 / b.n)} | ${f(b.r5 / b.n)} | ${f(b.mrr / b.n)} | ${b.destructiveFirst} |`;
    }),
    '',
    `Catalog vectors (first search of the catalog): ${Math.round(prepareMs)} ms. Queries that fell back to the local ranking: ${fellBack.length}${fellBack.length ? ` (${fellBack.join(', ')})` : ''}.`,
    '',
    `Not in the local top 5: ${c.mine.misses.join(', ') || 'none'}`,
    '',
    `Not in the fused top 5: ${fused.misses.join(', ') || 'none'}`,
    '',
    `Fusion made the first hit right (${won.length}): ${won.join(', ') || 'none'}`,
    '',
    `Fusion made the first hit wrong (${lost.length}): ${lost.join(', ') || 'none'}`,
    '',
    ...(process.env.SEARCH_EVAL_DETAIL === '1'
      ? ['Fused, not first (position of the first right action in each list):', ...c.queries.filter((q) => !firstOk(q, out.get(q.id)!.fused)).map(detail), '']
      : []),
    ...(process.env.SEARCH_EVAL_DETAIL === '1' && lost.length ? ['Made wrong by fusion:', ...lost.map((l) => detail(byId.get(l.split(' ')[0])!)), ''] : []),
  ];
}

function fusedPoolReport(): string[] {
  const f = (x: number) => x.toFixed(3);
  const order = (g: string) => (g === 'all' ? 3 : g.startsWith('kind') ? 0 : g.startsWith('intent') ? 1 : 2);
  return [
    '### Pool of every set above',
    '',
    '| group | queries | local r@1 | local r@5 | local MRR | local destructive first | fused r@1 | fused r@5 | fused MRR | fused destructive first | embeddings alone r@1 | embeddings alone r@5 | BM25 r@1 | BM25 r@5 |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...[...pooled.ours.keys()]
      .sort((a, b) => order(a) - order(b) || a.localeCompare(b))
      .map((g) => {
        const o = pooled.ours.get(g)!;
        const u = pooled.fused.get(g)!;
        const e = pooled.embeddings.get(g)!;
        const b = pooled.bm25.get(g)!;
        return `| ${g} | ${o.n} | ${f(o.r1 / o.n)} | ${f(o.r5 / o.n)} | ${f(o.mrr / o.n)} | ${o.destructiveFirst} | ${f(u.r1 / u.n)} | ${f(u.r5 / u.n)} | ${f(u.mrr / u.n)} | ${u.destructiveFirst} | ${f(e.r1 / e.n)} | ${f(e.r5 / e.n)} | ${f(b.r1 / b.n)} | ${f(b.r5 / b.n)} |`;
      }),
    '',
    `Fusion made the first hit right in ${fusionChanges.won.length} queries and wrong in ${fusionChanges.lost.length}; queries that fell back to the local ranking: ${fusedRuns.filter((r) => r.fellBack).length} of ${fusedRuns.length}.`,
    '',
    ...(process.env.SEARCH_EVAL_FUSION_VARIANTS === '1' ? variantReport() : []),
  ];
}

/** Pool r@1 · r@5 of weighted fusions of the same lists (a bench diagnostic; see FUSION_VARIANTS). */
function variantReport(): string[] {
  const groups = [
    'all',
    'no app named',
    'app named',
    'kind: paraphrase',
    'kind: goal',
    'kind: synonym',
    'kind: abbreviation',
    'kind: app-named',
    'intent: read',
    'intent: write',
  ];
  const cell = (m: Map<string, Row>, g: string) => {
    const r = m.get(g);
    return r ? `${(r.r1 / r.n).toFixed(3)} · ${(r.r5 / r.n).toFixed(3)}` : '-';
  };
  return [
    'Diagnostic (SEARCH_EVAL_FUSION_VARIANTS=1, not the server): the same two lists fused as sum of w/(k + rank), the local list with weight 1 and the embeddings list with weight w; r@1 · r@5. The server fuses with k 60, w 1.',
    '',
    `| group | local alone | ${FUSION_VARIANTS.map((v) => `k ${v.k}, w ${v.w}`).join(' | ')} |`,
    `|---|---|${FUSION_VARIANTS.map(() => '---|').join('')}`,
    ...groups.map((g) => `| ${g} | ${cell(pooled.ours, g)} | ${variantRows.map((m) => cell(m, g)).join(' | ')} |`),
    '',
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
  // With the trial's weights too (SEARCH_EVAL_WEIGHTS), so a trial's cost is measured on its own index.
  const index = new ActionSearchIndex(big.tools, trialWeights());
  const buildMs = performance.now() - started;
  const measure = (texts: string[], rounds: number) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    // Round 0 warms the JIT and is not counted.
    for (let round = 0; round <= rounds; round++) {
      for (const text of texts) {
        started = performance.now();
        const cpuStart = process.cpuUsage();
        safeTop(
          text,
          index.query(text, { limit: SEARCH_DEPTH }).hits.map((h) => ({ tool: h.tool, score: h.score })),
          10,
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

async function main(): Promise<void> {
  const which = (process.env.SEARCH_EVAL_SET ?? 'all').toLowerCase();
  // A comma-separated list runs several sets and pools them (`dev,a,b,c,d`).
  const sets = which === 'all' ? Object.values(SETS).filter((s) => !s.unrun) : which.split(',').map((k) => SETS[k.trim()]);
  if (sets.some((s) => !s)) throw new Error(`SEARCH_EVAL_SET must be one of ${Object.keys(SETS).join(', ')} or all`);
  const withEmbeddings = !!process.env.SEARCH_EVAL_EMBEDDINGS || !!process.env.SEARCH_EVAL_EMBEDDINGS_URL;
  // Loaded only with a provider: the default run does not start Nest.
  const fe = withEmbeddings ? await (require('./fused-eval') as typeof import('./fused-eval')).startFusedEval() : undefined;
  try {
    const lines = ['## Search quality (bench/search-eval)', ''];
    for (const set of sets) lines.push(...(await qualityReport(set, fe)));
    if (sets.length > 1) lines.push(...(fe ? fusedPoolReport() : poolReport()));
    if (fe)
      lines.push(
        `### Cost of the fused search (${process.version}, load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(', ')} on ${cpus().length} cores)`,
        '',
        ...(await fe.costLines(fusedRuns)),
        '',
      );
    if (process.env.SEARCH_EVAL_COST !== '0') lines.push(...costReport());
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await fe?.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exitCode = 1;
});
