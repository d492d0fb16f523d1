/** The evaluation sets of `npm run bench:search`: each a query file and the fixture whose catalog it is searched in. */
export interface EvalSet {
  name: string;
  file: string;
  fixture: string;
  /** Not yet run: left out of SEARCH_EVAL_SET=all, so only a run that names it runs it (its one clean run). */
  unrun?: boolean;
}

/** Paths are relative to bench/search-eval. */
export const SETS: Record<string, EvalSet> = {
  dev: { name: 'dev (tuning set)', file: 'dev-queries.json', fixture: '../../test/emulator/fixtures/search-workspace.json' },
  a: { name: 'A (queries.json)', file: 'queries.json', fixture: '../../test/emulator/fixtures/search-workspace.json' },
  b: { name: 'B (held-out, another domain)', file: 'heldout-b-queries.json', fixture: 'catalog-b/catalog-b.json' },
  c: { name: 'C (fresh batch after the safety change, catalog B)', file: 'heldout-c-queries.json', fixture: 'catalog-b/catalog-b.json' },
  d: { name: 'D (fresh batch after the colon change, catalog B)', file: 'heldout-d-queries.json', fixture: 'catalog-b/catalog-b.json' },
  e: { name: 'E (fresh batch of round 2, catalog B)', file: 'heldout-e-queries.json', fixture: 'catalog-b/catalog-b.json' },
  f: { name: 'F (fresh batch after the analyzer change of round 2, catalog B)', file: 'heldout-f-queries.json', fixture: 'catalog-b/catalog-b.json' },
  g: { name: 'G (held-out, catalog C: a third domain from Activepieces)', file: 'heldout-g-queries.json', fixture: 'catalog-c/catalog-c.json' },
  h: { name: 'H (held-out, catalog B, written with G)', file: 'heldout-h-queries.json', fixture: 'catalog-b/catalog-b.json' },
  i: {
    name: 'I (held-out, catalog D: a fourth domain from Activepieces)',
    file: 'heldout-i-queries.json',
    fixture: 'catalog-d/catalog-d.json',
  },
  j: { name: 'J (held-out, catalog C, written with I)', file: 'heldout-j-queries.json', fixture: 'catalog-c/catalog-c.json' },
  k1: { name: 'K1 (held-out batch K, catalog D)', file: 'heldout-k1-queries.json', fixture: 'catalog-d/catalog-d.json' },
  k2: { name: 'K2 (held-out batch K, catalog B)', file: 'heldout-k2-queries.json', fixture: 'catalog-b/catalog-b.json' },
  k3: { name: 'K3 (held-out batch K, catalog C)', file: 'heldout-k3-queries.json', fixture: 'catalog-c/catalog-c.json' },
  l1: { name: 'L1 (held-out batch L, catalog D)', file: 'heldout-l1-queries.json', fixture: 'catalog-d/catalog-d.json' },
  l2: { name: 'L2 (held-out batch L, catalog B)', file: 'heldout-l2-queries.json', fixture: 'catalog-b/catalog-b.json' },
  l3: { name: 'L3 (held-out batch L, catalog C)', file: 'heldout-l3-queries.json', fixture: 'catalog-c/catalog-c.json' },
  l4: {
    name: 'L4 (held-out batch L, catalog A)',
    file: 'heldout-l4-queries.json',
    fixture: '../../test/emulator/fixtures/search-workspace.json',
  },
  m1: { name: 'M1 (held-out batch M, catalog D)', file: 'heldout-m1-queries.json', fixture: 'catalog-d/catalog-d.json' },
  m2: { name: 'M2 (held-out batch M, catalog B)', file: 'heldout-m2-queries.json', fixture: 'catalog-b/catalog-b.json' },
  m3: { name: 'M3 (held-out batch M, catalog C)', file: 'heldout-m3-queries.json', fixture: 'catalog-c/catalog-c.json' },
  m4: {
    name: 'M4 (held-out batch M, catalog A)',
    file: 'heldout-m4-queries.json',
    fixture: '../../test/emulator/fixtures/search-workspace.json',
  },
  n1: { name: 'N1 (held-out batch N, catalog D)', file: 'heldout-n1-queries.json', fixture: 'catalog-d/catalog-d.json' },
  n2: { name: 'N2 (held-out batch N, catalog B)', file: 'heldout-n2-queries.json', fixture: 'catalog-b/catalog-b.json' },
  n3: { name: 'N3 (held-out batch N, catalog C)', file: 'heldout-n3-queries.json', fixture: 'catalog-c/catalog-c.json' },
  n4: {
    name: 'N4 (held-out batch N, catalog A)',
    file: 'heldout-n4-queries.json',
    fixture: '../../test/emulator/fixtures/search-workspace.json',
  },
};
