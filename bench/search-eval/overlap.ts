/**
 * A diagnostic of round 4 (no ranking): for each request of the pool whose acceptable actions the
 * ranker does not place in its first five, whether the request shares any word with one of them —
 * as the ranker reads both (stems, and the concepts of the search language), app names left out.
 * A request that shares none can only be found with knowledge the catalog and word lists lack.
 *
 *   SEARCH_EVAL_SET=dev,a,b,c,d,e,f,g,h npx ts-node --transpile-only bench/search-eval/overlap.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionSearchIndex } from '../../src/tools/discovery/action-search';
import { readSafe } from '../../src/tools/discovery/fused-action-search';
import { analyzeQuery, conceptsOf, stemWord, words } from '../../src/tools/discovery/search-language';
import type { SourceTool } from '../../src/tools/tool-source';
import type { Fixture } from '../../test/emulator/fixture.types';
import { catalogOf } from './catalog';
import { type EvalQuery, SETS } from './sets';

type Query = EvalQuery;

function tokensOf(tool: SourceTool): Set<string> {
  const props = Object.keys((tool.definition.inputSchema as { properties?: object }).properties ?? {});
  const text = `${tool.definition.name} ${tool.definition.title ?? ''} ${tool.definition.description ?? ''} ${props.join(' ')}`;
  const appWords = new Set(words(`${tool.app ?? ''} ${(tool.definition.title ?? '').split(': ')[0]}`));
  const out = new Set<string>();
  for (const w of words(text)) {
    if (appWords.has(w)) continue;
    const s = stemWord(w);
    out.add(s);
    for (const c of conceptsOf(s)) out.add(c);
  }
  return out;
}

const sets = (process.env.SEARCH_EVAL_SET ?? 'dev,a,b,c,d,e,f,g,h').split(',');
const byKind = new Map<string, { misses: number; none: number }>();
const indexes = new Map<string, { index: ActionSearchIndex; byName: Map<string, SourceTool> }>();
for (const name of sets) {
  const set = SETS[name.trim()];
  let entry = indexes.get(set.fixture);
  if (!entry) {
    const tools = catalogOf(JSON.parse(readFileSync(join(__dirname, set.fixture), 'utf8')) as Fixture).tools;
    entry = { index: new ActionSearchIndex(tools), byName: new Map(tools.map((t) => [t.definition.name, t])) };
    indexes.set(set.fixture, entry);
  }
  for (const q of JSON.parse(readFileSync(join(__dirname, set.file), 'utf8')) as Query[]) {
    const hits = entry.index.query(q.query, { apps: q.apps, limit: 10 }).hits;
    const ranked = readSafe(
      q.query,
      hits.map((h) => ({ tool: h.tool, score: h.score })),
    );
    const first = ranked.findIndex((h) => q.acceptable.includes(h.tool.definition.name));
    if (first >= 0 && first < 5) continue;
    const stems = analyzeQuery(q.query).terms.map((t) => t.stem);
    const queryTokens = new Set(stems.flatMap((s) => [s, ...conceptsOf(s)]));
    const shares = q.acceptable.some((a) => {
      const tool = entry.byName.get(a);
      return tool !== undefined && [...tokensOf(tool)].some((t) => queryTokens.has(t));
    });
    const k = byKind.get(q.kind) ?? { misses: 0, none: 0 };
    k.misses++;
    if (!shares) k.none++;
    byKind.set(q.kind, k);
  }
}
const lines = ['| kind | not in the first 5 | of which share no word or concept with any acceptable action |', '|---|---|---|'];
let misses = 0;
let none = 0;
for (const [kind, k] of [...byKind].sort()) {
  lines.push(`| ${kind} | ${k.misses} | ${k.none} |`);
  misses += k.misses;
  none += k.none;
}
lines.push(`| all | ${misses} | ${none} |`);
process.stdout.write(`${lines.join('\n')}\n`);
