/** The evaluation sets of `npm run bench:search`: each a query file and the fixture whose catalog it is searched in. */
export interface EvalSet {
  name: string;
  file: string;
  fixture: string;
  /** Not yet run: left out of SEARCH_EVAL_SET=all, so only a run that names it runs it (its one clean run). */
  unrun?: boolean;
}

/** A request of a set's query file (every set has this format; B onwards adds `intent` and `namedApp`). */
export interface EvalQuery {
  id: string;
  kind: string;
  query: string;
  apps?: string[];
  acceptable: string[];
  /** Whether the request reads or writes, and whether it names the app. */
  intent?: 'read' | 'write';
  namedApp?: boolean;
}

/** The catalogs' fixtures, relative to bench/search-eval. */
const CATALOG = {
  A: '../../test/emulator/fixtures/search-workspace.json',
  B: 'catalog-b/catalog-b.json',
  C: 'catalog-c/catalog-c.json',
  D: 'catalog-d/catalog-d.json',
} as const;

/** A batch written as one file per catalog: `<x>1`, `<x>2`… named "<X>n (held-out batch <X>, catalog …)". */
function splitBatch(letter: string, catalogs: ReadonlyArray<keyof typeof CATALOG>): Record<string, EvalSet> {
  return Object.fromEntries(
    catalogs.map((catalog, i) => [
      `${letter}${i + 1}`,
      {
        name: `${letter.toUpperCase()}${i + 1} (held-out batch ${letter.toUpperCase()}, catalog ${catalog})`,
        file: `heldout-${letter}${i + 1}-queries.json`,
        fixture: CATALOG[catalog],
      },
    ]),
  );
}

/** Paths are relative to bench/search-eval. */
export const SETS: Record<string, EvalSet> = {
  dev: { name: 'dev (tuning set)', file: 'dev-queries.json', fixture: CATALOG.A },
  a: { name: 'A (queries.json)', file: 'queries.json', fixture: CATALOG.A },
  b: { name: 'B (held-out, another domain)', file: 'heldout-b-queries.json', fixture: CATALOG.B },
  c: { name: 'C (fresh batch after the safety change, catalog B)', file: 'heldout-c-queries.json', fixture: CATALOG.B },
  d: { name: 'D (fresh batch after the colon change, catalog B)', file: 'heldout-d-queries.json', fixture: CATALOG.B },
  e: { name: 'E (fresh batch of round 2, catalog B)', file: 'heldout-e-queries.json', fixture: CATALOG.B },
  f: { name: 'F (fresh batch after the analyzer change of round 2, catalog B)', file: 'heldout-f-queries.json', fixture: CATALOG.B },
  g: { name: 'G (held-out, catalog C: a third domain from Activepieces)', file: 'heldout-g-queries.json', fixture: CATALOG.C },
  h: { name: 'H (held-out, catalog B, written with G)', file: 'heldout-h-queries.json', fixture: CATALOG.B },
  i: { name: 'I (held-out, catalog D: a fourth domain from Activepieces)', file: 'heldout-i-queries.json', fixture: CATALOG.D },
  j: { name: 'J (held-out, catalog C, written with I)', file: 'heldout-j-queries.json', fixture: CATALOG.C },
  ...splitBatch('k', ['D', 'B', 'C']),
  ...splitBatch('l', ['D', 'B', 'C', 'A']),
  ...splitBatch('m', ['D', 'B', 'C', 'A']),
  ...splitBatch('n', ['D', 'B', 'C', 'A']),
};
