/**
 * `npm run bench:search:tune` — chooses the ranking's weights (src/tools/discovery/data/ranking-weights.json)
 * on the pool of evaluation sets, and says by cross-validation whether the choice carries over.
 *
 * The weights are the factors of `RankingWeights` (operation, number and intent factors, and how much a
 * plain BM25 adds); the field weights of the BM25 are left as they are (round 2's sweep: ±0.005 r@1).
 * The search: coordinate ascent from the current weights, each factor over a small grid, two passes,
 * maximizing the mean reciprocal rank of the first acceptable action (after the read-safe ordering).
 *
 * Cross-validation, on requests nobody chose a weight with:
 * - 5 folds by request (a fixed shuffle of the pool): choose on four, measure on the fifth;
 * - by catalog: choose on the other catalogs' sets, measure on one catalog's (A: dev, A, L4, M4, N4;
 *   B: B–F, H, K2, L2, M2, N2; C: G, J, K3, L3, M3, N3; D: I, K1, L1, M1, N1), for each catalog in
 *   turn (round 4 added catalog C, round 5 catalog D).
 * Each held-out figure is printed beside the current weights' figure on the same requests.
 *
 * SEARCH_TUNE_SETS (default: every set already run, as SEARCH_EVAL_SET=all — the sets of sets.ts not
 * `unrun`) names the pool. SEARCH_TUNE_FACTORS (comma-separated
 * names of GRID) searches only those factors. SEARCH_TUNE_START (JSON, merged into the shipped
 * weights) starts elsewhere. Output: markdown, and the weights chosen on the whole pool as JSON at
 * the end (copy them into ranking-weights.json only when the held-out folds say they carry over).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchResult } from 'minisearch';
import { ActionSearchIndex, DEFAULT_WEIGHTS, RankingWeights } from '../../src/tools/discovery/action-search';
import { readSafe } from '../../src/tools/discovery/fused-action-search';
import type { Fixture } from '../../test/emulator/fixture.types';
import { catalogOf } from './catalog';
import { type EvalQuery, SETS } from './sets';

type Query = EvalQuery;

type Catalog = 'A' | 'B' | 'C' | 'D';
/** The catalog each fixture is: A the dev workspace, B NangoHQ's, C and D Activepieces'. */
const CATALOG_OF: Record<string, Catalog> = {
  '../../test/emulator/fixtures/search-workspace.json': 'A',
  'catalog-b/catalog-b.json': 'B',
  'catalog-c/catalog-c.json': 'C',
  'catalog-d/catalog-d.json': 'D',
};
const FIXTURES: Record<Catalog, string> = Object.fromEntries(Object.entries(CATALOG_OF).map(([f, c]) => [c, f])) as Record<Catalog, string>;

/**
 * Where the search starts and what the held-out figures are compared with: the shipped weights, or
 * with SEARCH_TUNE_FROM=round2 the weights before round 3 (no plain BM25, intentMatch 1.25).
 */
const START: RankingWeights = {
  ...DEFAULT_WEIGHTS,
  ...(process.env.SEARCH_TUNE_FROM === 'round2' ? { plain: 0, intentMatch: 1.25 } : {}),
  ...(JSON.parse(process.env.SEARCH_TUNE_START ?? '{}') as Partial<RankingWeights>),
};

/** The factors searched, each over these values. */
const GRID: Partial<Record<keyof RankingWeights, number[]>> = {
  operationMatch: [1, 1.25, 1.5, 1.75, 2, 2.5],
  operationRelated: [1, 1.1, 1.2, 1.35, 1.5],
  operationClose: [0.9, 1, 1.1, 1.2, 1.35],
  operationRead: [1, 1.15, 1.35, 1.5, 1.75],
  numberMatch: [1, 1.1, 1.15, 1.25, 1.4],
  operationMismatch: [0.5, 0.65, 0.8, 0.9, 1],
  intentMatch: [1, 1.1, 1.25, 1.4, 1.6],
  intentMismatch: [0.6, 0.7, 0.8, 0.9, 1],
  plain: [0, 0.1, 0.2, 0.35, 0.5, 0.75, 1],
  gloss: [0, 0.05, 0.1, 0.2, 0.35, 0.5],
  coverage: [0, 0.1, 0.2, 0.35, 0.5, 0.75],
};
const FACTORS = process.env.SEARCH_TUNE_FACTORS?.split(',').map((f) => f.trim());
for (const key of Object.keys(GRID) as Array<keyof RankingWeights>) if (FACTORS && !FACTORS.includes(key)) delete GRID[key];

interface Item {
  q: Query;
  catalog: Catalog;
  /** The BM25 results of this request, kept across the weights tried (they do not change them). */
  memo: Map<string, SearchResult[]>;
}

const indexes = new Map<Catalog, ActionSearchIndex>();
function indexOf(catalog: Catalog): ActionSearchIndex {
  let index = indexes.get(catalog);
  if (!index) {
    const tools = catalogOf(JSON.parse(readFileSync(join(__dirname, FIXTURES[catalog]), 'utf8')) as Fixture).tools;
    // Built with every part a searched factor may switch on (an index holds the plain BM25 and the
    // glosses only when their weight is not 0).
    const on = (key: keyof RankingWeights) => key in GRID || ((START[key] as number | undefined) ?? 0) > 0;
    index = new ActionSearchIndex(tools, { ...DEFAULT_WEIGHTS, plain: 1, gloss: on('gloss') ? 1 : 0 });
    indexes.set(catalog, index);
  }
  return index;
}

/** Where the first acceptable action of a request comes (0-based; -1 outside the first 10). */
function firstAcceptable({ q, catalog, memo }: Item, weights: RankingWeights): number {
  const hits = indexOf(catalog).query(q.query, { apps: q.apps, limit: 10, weights, memo }).hits;
  const ranked = readSafe(
    q.query,
    hits.map((h) => ({ tool: h.tool, score: h.score })),
  );
  return ranked.findIndex((h) => q.acceptable.includes(h.tool.definition.name));
}

function summary(firsts: readonly number[]): { r1: number; r5: number; mrr: number } {
  const n = firsts.length || 1;
  return {
    r1: firsts.filter((f) => f === 0).length / n,
    r5: firsts.filter((f) => f >= 0 && f < 5).length / n,
    mrr: firsts.reduce((m, f) => m + (f >= 0 ? 1 / (f + 1) : 0), 0) / n,
  };
}

function measure(items: readonly Item[], weights: RankingWeights): { r1: number; r5: number; mrr: number } {
  let r1 = 0;
  let r5 = 0;
  let mrr = 0;
  for (const item of items) {
    const first = firstAcceptable(item, weights);
    if (first === 0) r1++;
    if (first >= 0 && first < 5) r5++;
    if (first >= 0) mrr += 1 / (first + 1);
  }
  const n = items.length || 1;
  return { r1: r1 / n, r5: r5 / n, mrr: mrr / n };
}

/** Coordinate ascent on MRR from the current weights. */
function choose(items: readonly Item[]): RankingWeights {
  let best = { ...START };
  let bestScore = measure(items, best).mrr;
  for (let pass = 0; pass < 2; pass++) {
    let moved = false;
    for (const [key, values] of Object.entries(GRID) as Array<[keyof RankingWeights, number[]]>) {
      for (const value of values) {
        if (best[key] === value) continue;
        const trial = { ...best, [key]: value };
        const score = measure(items, trial).mrr;
        // A change must gain more than one request's worth of noise in MRR to be taken.
        if (score > bestScore + 0.5 / items.length) {
          best = trial;
          bestScore = score;
          moved = true;
        }
      }
    }
    if (!moved) break;
  }
  process.stderr.write(`chosen on ${items.length}: ${changed(best)}\n`);
  return best;
}

/** A fixed shuffle (mulberry32), so the folds are the same on every run. */
function shuffled<T>(xs: readonly T[], seed = 22): T[] {
  let a = seed;
  const rnd = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const changed = (w: RankingWeights) =>
  (Object.keys(GRID) as Array<keyof RankingWeights>)
    .filter((k) => w[k] !== START[k])
    .map((k) => `${k} ${String(START[k])}→${String(w[k])}`)
    .join(', ') || 'none';

function main(): void {
  // The pool: every set already run (SEARCH_EVAL_SET=all of run.ts), unless named.
  const sets = process.env.SEARCH_TUNE_SETS
    ? process.env.SEARCH_TUNE_SETS.split(',').map((s) => s.trim())
    : Object.entries(SETS)
        .filter(([, def]) => !def.unrun)
        .map(([key]) => key);
  const pool: Item[] = sets.flatMap((s) => {
    const def = SETS[s];
    if (!def) throw new Error(`SEARCH_TUNE_SETS: unknown set ${s}`);
    const catalog = CATALOG_OF[def.fixture];
    if (!catalog) throw new Error(`SEARCH_TUNE_SETS: set ${s} has a fixture of no known catalog (${def.fixture})`);
    return (JSON.parse(readFileSync(join(__dirname, def.file), 'utf8')) as Query[]).map((q) => ({
      q,
      catalog,
      memo: new Map<string, SearchResult[]>(),
    }));
  });
  const f = (m: { r1: number; r5: number; mrr: number }) => `${m.r1.toFixed(3)} / ${m.r5.toFixed(3)} / ${m.mrr.toFixed(3)}`;
  const lines = [
    `## Weights chosen on ${sets.join(', ')} (${pool.length} requests), cross-validated`,
    '',
    '| held out | n | start r@1 / r@5 / MRR | chosen on the rest r@1 / r@5 / MRR | factors changed |',
    '|---|---|---|---|---|',
  ];
  const sum = { cur: { r1: 0, r5: 0, mrr: 0 }, tuned: { r1: 0, r5: 0, mrr: 0 }, n: 0 };
  const folds = 5;
  const order = shuffled(pool);
  /** Per request, where its first acceptable action came with the start weights and with those chosen without it. */
  const outOfFold = new Map<Item, { start: number; chosen: number }>();
  for (let k = 0; k < folds; k++) {
    const test = order.filter((_, i) => i % folds === k);
    const train = order.filter((_, i) => i % folds !== k);
    const w = choose(train);
    const cur = measure(test, START);
    const tuned = measure(test, w);
    for (const item of test) outOfFold.set(item, { start: firstAcceptable(item, START), chosen: firstAcceptable(item, w) });
    for (const m of ['r1', 'r5', 'mrr'] as const) {
      sum.cur[m] += cur[m] * test.length;
      sum.tuned[m] += tuned[m] * test.length;
    }
    sum.n += test.length;
    lines.push(`| fold ${k + 1} of ${folds} | ${test.length} | ${f(cur)} | ${f(tuned)} | ${changed(w)} |`);
  }
  const avg = (s: { r1: number; r5: number; mrr: number }) => ({ r1: s.r1 / sum.n, r5: s.r5 / sum.n, mrr: s.mrr / sum.n });
  lines.push(`| **5 folds pooled** | ${sum.n} | ${f(avg(sum.cur))} | ${f(avg(sum.tuned))} | |`);
  // Per kind, the 5 folds' held-out requests (each measured with the weights chosen without it).
  const kinds = [...new Set(pool.map((i) => i.q.kind))].sort();
  const perKind = ['', '| kind (5 folds, held out) | n | start r@1 / r@5 / MRR | chosen on the rest r@1 / r@5 / MRR |', '|---|---|---|---|'];
  for (const kind of kinds) {
    const of = pool.filter((i) => i.q.kind === kind).map((i) => outOfFold.get(i)!);
    perKind.push(`| ${kind} | ${of.length} | ${f(summary(of.map((o) => o.start)))} | ${f(summary(of.map((o) => o.chosen)))} |`);
  }
  const catalogs = [...new Set(pool.map((i) => i.catalog))].sort();
  const byCatalog = { cur: { r1: 0, r5: 0, mrr: 0 }, tuned: { r1: 0, r5: 0, mrr: 0 }, n: 0 };
  for (const held of catalogs) {
    const test = pool.filter((i) => i.catalog === held);
    const train = pool.filter((i) => i.catalog !== held);
    if (!test.length || !train.length) continue;
    const w = choose(train);
    const cur = measure(test, START);
    const tuned = measure(test, w);
    for (const m of ['r1', 'r5', 'mrr'] as const) {
      byCatalog.cur[m] += cur[m] * test.length;
      byCatalog.tuned[m] += tuned[m] * test.length;
    }
    byCatalog.n += test.length;
    const rest = catalogs.filter((c) => c !== held).join('+');
    lines.push(`| catalog ${held} (chosen on ${rest}) | ${test.length} | ${f(cur)} | ${f(tuned)} | ${changed(w)} |`);
  }
  if (byCatalog.n) {
    const avgC = (s: { r1: number; r5: number; mrr: number }) => ({ r1: s.r1 / byCatalog.n, r5: s.r5 / byCatalog.n, mrr: s.mrr / byCatalog.n });
    lines.push(`| **catalogs pooled** | ${byCatalog.n} | ${f(avgC(byCatalog.cur))} | ${f(avgC(byCatalog.tuned))} | |`);
  }
  lines.push(...perKind);
  // The shipped weights on the same held-out parts (they were chosen after seeing every fold: a
  // check of their consistency, not a clean estimate).
  if (process.env.SEARCH_TUNE_FROM === 'round2' || process.env.SEARCH_TUNE_START) {
    lines.push('', '| held-out part | n | start | shipped (data/ranking-weights.json) |', '|---|---|---|---|');
    for (let k = 0; k < folds; k++) {
      const test = order.filter((_, i) => i % folds === k);
      lines.push(`| fold ${k + 1} | ${test.length} | ${f(measure(test, START))} | ${f(measure(test, DEFAULT_WEIGHTS))} |`);
    }
    for (const c of catalogs) {
      const test = pool.filter((i) => i.catalog === c);
      lines.push(`| catalog ${c} | ${test.length} | ${f(measure(test, START))} | ${f(measure(test, DEFAULT_WEIGHTS))} |`);
    }
  }
  const all = choose(pool);
  lines.push('', `On the whole pool: start ${f(measure(pool, START))}, chosen ${f(measure(pool, all))} (${changed(all)}).`, '');
  lines.push('```json', JSON.stringify(all, null, 2), '```');
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
