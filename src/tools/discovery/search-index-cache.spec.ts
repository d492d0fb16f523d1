import { viewOf } from '../../../test/support/tool-view';
import type { SourceTool } from '../tool-source';
import { ActionSearchIndex, DEFAULT_WEIGHTS } from './action-search';
import { estimatedBytes, GLOSS_BYTES_PER_CHAR, PLAIN_MEMORY_FACTOR, SearchIndexCache } from './search-index-cache';

function tool(app: string, key: string): SourceTool {
  return {
    app,
    definition: { name: `${app}_${key}`, title: `${app}: ${key}`, description: `${key} in ${app}`, inputSchema: { type: 'object', properties: { id: {} } } },
  };
}

const view = viewOf;

const CATALOG = Array.from({ length: 60 }, (_, i) => tool(`app-${i % 6}`, `${['list', 'create', 'delete'][i % 3]}-thing-${i}`));

describe('SearchIndexCache', () => {
  it('holds at most maxEntries indexes however many distinct views are searched', () => {
    const cache = new SearchIndexCache({ maxEntries: 5, maxBytes: 1e9 });
    for (let i = 0; i < 50; i++) {
      const v = view(CATALOG.filter((_, j) => j !== i));
      expect(cache.index(v).query('create thing', { limit: 3 }).hits.length).toBeGreaterThan(0);
      expect(cache.stats().entries).toBeLessThanOrEqual(5);
    }
    expect(cache.stats().builds).toBe(50);
  });

  it('holds at most maxBytes (estimated) of indexes', () => {
    const cache = new SearchIndexCache({ maxEntries: 1000, maxBytes: 600_000 });
    for (let i = 0; i < 50; i++) cache.index(view(CATALOG.filter((_, j) => j !== i)));
    expect(cache.stats().bytes).toBeLessThanOrEqual(600_000);
    expect(cache.stats().entries).toBeGreaterThan(0);
    expect(cache.stats().entries).toBeLessThan(50);
  });

  it('counts the plain BM25 beside the ranker in the estimated size of an index', () => {
    const without = new ActionSearchIndex(CATALOG, { ...DEFAULT_WEIGHTS, plain: 0, gloss: 0 });
    const withPlain = new ActionSearchIndex(CATALOG, { ...DEFAULT_WEIGHTS, plain: 0.35, gloss: 0 });
    expect(without.hasPlain).toBe(false);
    expect(withPlain.hasPlain).toBe(true);
    expect(estimatedBytes(withPlain)).toBe(Math.round(estimatedBytes(without) * PLAIN_MEMORY_FACTOR));
    expect(PLAIN_MEMORY_FACTOR).toBeGreaterThanOrEqual(1.67);
  });

  it('counts the WordNet glosses an index holds in its estimated size, and holds none when their weight is 0', () => {
    const without = new ActionSearchIndex(CATALOG, { ...DEFAULT_WEIGHTS, gloss: 0 });
    const withGloss = new ActionSearchIndex(CATALOG, { ...DEFAULT_WEIGHTS, gloss: 0.1 });
    expect(without.glossChars).toBe(0);
    expect(withGloss.glossChars).toBeGreaterThan(0);
    expect(estimatedBytes(withGloss)).toBe(estimatedBytes(without) + GLOSS_BYTES_PER_CHAR * withGloss.glossChars);
    // Measured: 12.2 heap bytes a character of gloss.
    expect(GLOSS_BYTES_PER_CHAR).toBeGreaterThanOrEqual(12.2);
  });

  it('shares one index between view objects holding the same tools (another spelling of the same policy)', () => {
    const cache = new SearchIndexCache({ maxEntries: 5, maxBytes: 1e9 });
    const a = cache.index(view(CATALOG));
    const b = cache.index(view([...CATALOG]));
    expect(b).toBe(a);
    expect(cache.stats().builds).toBe(1);
  });

  it('builds a new index for a new catalog version (new definition objects), even with equal names', () => {
    const cache = new SearchIndexCache({ maxEntries: 5, maxBytes: 1e9 });
    const first = cache.index(view(CATALOG));
    const refreshed = CATALOG.map((t) => ({ ...t, definition: { ...t.definition } }));
    expect(cache.index(view(refreshed))).not.toBe(first);
    expect(cache.keyOf(view(refreshed))).not.toBe(cache.keyOf(view(CATALOG)));
  });
});
