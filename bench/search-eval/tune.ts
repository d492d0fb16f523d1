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
 * - by catalog: choose on catalog A's sets (dev, A), measure on catalog B's (B–F), and the reverse.
 * Each held-out figure is printed beside the current weights' figure on the same requests.
 *
 * SEARCH_TUNE_SETS (default dev,a,b,c,d,e,f) names the pool. Output: markdown, and the weights chosen
 * on the whole pool as JSON at the end (copy them into ranking-weights.json only when the held-out
 * folds say they carry over).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchResult } from 'minisearch';
import { ActionSearchIndex, DEFAULT_WEIGHTS, RankingWeights } from '../../src/tools/discovery/action-search';
import { readSafe } from '../../src/tools/discovery/fused-action-search';
import type { Fixture } from '../../test/emulator/fixture.types';
import { catalogOf } from './catalog';

interface Query {
  id: string;
  query: string;
  apps?: string[];
  acceptable: string[];
}

const FILES: Record<string, { file: string; catalog: 'A' | 'B' }> = {
  dev: { file: 'dev-queries.json', catalog: 'A' },
  a: { file: 'queries.json', catalog: 'A' },
  b: { file: 'heldout-b-queries.json', catalog: 'B' },
  c: { file: 'heldout-c-queries.json', catalog: 'B' },
  d: { file: 'heldout-d-queries.json', catalog: 'B' },
  e: { file: 'heldout-e-queries.json', catalog: 'B' },
  f: { file: 'heldout-f-queries.json', catalog: 'B' },
};
const FIXTURES = { A: '../../test/emulator/fixtures/search-workspace.json', B: 'catalog-b/catalog-b.json' };

/**
 * Where the search starts and what the held-out figures are compared with: the shipped weights, or
 * with SEARCH_TUNE_FROM=round2 the weights before round 3 (no plain BM25, intentMatch 1.25).
 */
const START: RankingWeights = process.env.SEARCH_TUNE_FROM === 'round2' ? { ...DEFAULT_WEIGHTS, plain: 0, intentMatch: 1.25 } : { ...DEFAULT_WEIGHTS };

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
};

interface Item {
  q: Query;
  catalog: 'A' | 'B';
  /** The BM25 results of this request, kept across the weights tried (they do not change them). */
  memo: Map<string, SearchResult[]>;
}

const indexes = {
  A: new ActionSearchIndex(catalogOf(JSON.parse(readFileSync(join(__dirname, FIXTURES.A), 'utf8')) as Fixture).tools, { ...DEFAULT_WEIGHTS, plain: 1 }),
  B: new ActionSearchIndex(catalogOf(JSON.parse(readFileSync(join(__dirname, FIXTURES.B), 'utf8')) as Fixture).tools, { ...DEFAULT_WEIGHTS, plain: 1 }),
};

function measure(items: readonly Item[], weights: RankingWeights): { r1: number; r5: number; mrr: number } {
  let r1 = 0;
  let r5 = 0;
  let mrr = 0;
  for (const { q, catalog, memo } of items) {
    const hits = indexes[catalog].query(q.query, { apps: q.apps, limit: 10, weights, memo }).hits;
    const ranked = readSafe(
      q.query,
      hits.map((h) => ({ tool: h.tool, score: h.score })),
    );
    const first = ranked.findIndex((h) => q.acceptable.includes(h.tool.definition.name));
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
  const sets = (process.env.SEARCH_TUNE_SETS ?? 'dev,a,b,c,d,e,f').split(',').map((s) => s.trim());
  const pool: Item[] = sets.flatMap((s) => {
    const def = FILES[s];
    if (!def) throw new Error(`SEARCH_TUNE_SETS: unknown set ${s}`);
    return (JSON.parse(readFileSync(join(__dirname, def.file), 'utf8')) as Query[]).map((q) => ({
      q,
      catalog: def.catalog,
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
  for (let k = 0; k < folds; k++) {
    const test = order.filter((_, i) => i % folds === k);
    const train = order.filter((_, i) => i % folds !== k);
    const w = choose(train);
    const cur = measure(test, START);
    const tuned = measure(test, w);
    for (const m of ['r1', 'r5', 'mrr'] as const) {
      sum.cur[m] += cur[m] * test.length;
      sum.tuned[m] += tuned[m] * test.length;
    }
    sum.n += test.length;
    lines.push(`| fold ${k + 1} of ${folds} | ${test.length} | ${f(cur)} | ${f(tuned)} | ${changed(w)} |`);
  }
  const avg = (s: { r1: number; r5: number; mrr: number }) => ({ r1: s.r1 / sum.n, r5: s.r5 / sum.n, mrr: s.mrr / sum.n });
  lines.push(`| **5 folds pooled** | ${sum.n} | ${f(avg(sum.cur))} | ${f(avg(sum.tuned))} | |`);
  for (const [held, rest] of [
    ['B', 'A'],
    ['A', 'B'],
  ] as const) {
    const test = pool.filter((i) => i.catalog === held);
    const train = pool.filter((i) => i.catalog === rest);
    if (!test.length || !train.length) continue;
    const w = choose(train);
    lines.push(`| catalog ${held} (chosen on ${rest}) | ${test.length} | ${f(measure(test, START))} | ${f(measure(test, w))} | ${changed(w)} |`);
  }
  // The shipped weights on the same held-out parts (they were chosen after seeing every fold: a
  // check of their consistency, not a clean estimate).
  if (process.env.SEARCH_TUNE_FROM === 'round2') {
    lines.push('', '| held-out part | n | start | shipped (data/ranking-weights.json) |', '|---|---|---|---|');
    for (let k = 0; k < folds; k++) {
      const test = order.filter((_, i) => i % folds === k);
      lines.push(`| fold ${k + 1} | ${test.length} | ${f(measure(test, START))} | ${f(measure(test, DEFAULT_WEIGHTS))} |`);
    }
    for (const c of ['A', 'B'] as const) {
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
