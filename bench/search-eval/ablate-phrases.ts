/**
 * Ablation of the phrase rules (src/tools/discovery/data/phrases.json) on the dev set: for each rule,
 * the dev queries whose result (first acceptable hit at rank 1, in the top 5, or not) changes when
 * that rule alone is removed. A rule that changes exactly one dev query exists for that query and
 * was dropped (see README). Run: `npx ts-node --transpile-only bench/search-eval/ablate-phrases.ts`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionSearchIndex } from '../../src/tools/discovery/action-search';
import type { Fixture } from '../../test/emulator/fixture.types';
import { catalogOf } from './catalog';
import type { EvalQuery } from './sets';

type Query = EvalQuery;

const phrases = require('../../src/tools/discovery/data/phrases.json') as { phrases: Array<[string, string]> };
const original = [...phrases.phrases];
const fixture = JSON.parse(readFileSync(join(__dirname, '../../test/emulator/fixtures/search-workspace.json'), 'utf8')) as Fixture;
const queries = JSON.parse(readFileSync(join(__dirname, 'dev-queries.json'), 'utf8')) as Query[];
const catalog = catalogOf(fixture);

/** The rank class of each dev query (1: first, 5: top five, 0: missed), with the phrase rules as they are now. */
function classes(): number[] {
  // Reload the ranking code (not the data files) so it reads the edited rules.
  for (const k of Object.keys(require.cache)) if (k.includes('/src/tools/discovery/') && !k.endsWith('.json')) delete require.cache[k];
  const { ActionSearchIndex: Index } = require('../../src/tools/discovery/action-search') as { ActionSearchIndex: typeof ActionSearchIndex };
  const index = new Index(catalog.tools);
  return queries.map((q) => {
    const rank = index.query(q.query, { apps: q.apps, limit: 10 }).hits.findIndex((h) => q.acceptable.includes(h.tool.definition.name));
    return rank === 0 ? 1 : rank > 0 && rank < 5 ? 5 : 0;
  });
}

const base = classes();
original.forEach((rule, i) => {
  phrases.phrases.splice(0, phrases.phrases.length, ...original.filter((_, j) => j !== i));
  const now = classes();
  const changed = queries.filter((_, j) => now[j] !== base[j]).map((q) => q.id);
  process.stdout.write(`${i}\t${changed.length}\t${rule[0].slice(0, 60)}\t${changed.join(',')}\n`);
});
