import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { SourceTool, ToolView } from '../tool-source';
import { ActionSearchIndex } from './action-search';

export interface SearchIndexCacheOptions {
  /** Indexes kept at most, across all tenants. */
  maxEntries: number;
  /** Estimated bytes kept at most, across all tenants. */
  maxBytes: number;
}

/** How much more an index weighs with the plain BM25 beside it (measured: ×1.51 for catalog B's 308 actions, ×1.67 for the 608 of the cost bench). */
export const PLAIN_MEMORY_FACTOR = 1.7;

/** Heap bytes per character of WordNet glosses an index holds (measured: +0.70 MB for catalog B's 60,095 characters, 12.2 a character). */
export const GLOSS_BYTES_PER_CHAR = 14;

/**
 * Rough heap cost of an index: a fixed part per action plus its indexed text (measured: 1.77 MB for
 * catalog B, 308 actions; this gives 1.8 MB), times PLAIN_MEMORY_FACTOR with the plain BM25, plus
 * GLOSS_BYTES_PER_CHAR for each character of glosses it holds.
 */
export function estimatedBytes(index: Pick<ActionSearchIndex, 'tools' | 'hasPlain' | 'glossChars'>): number {
  const base = textBytes(index.tools);
  return (index.hasPlain ? Math.round(base * PLAIN_MEMORY_FACTOR) : base) + GLOSS_BYTES_PER_CHAR * index.glossChars;
}

function textBytes(tools: readonly SourceTool[]): number {
  let chars = 0;
  for (const t of tools) {
    const d = t.definition;
    chars += d.name.length + (d.title?.length ?? 0) + (d.description?.length ?? 0);
    const props = (d.inputSchema as { properties?: object } | undefined)?.properties;
    if (props && typeof props === 'object') chars += Object.keys(props).join(' ').length;
  }
  return 2560 * tools.length + 28 * chars + 16384;
}

/**
 * The search indexes of every tenant in one LRU, bounded in count and estimated bytes (SPEC §17, the
 * isolation issue): a tenant sending a new `X-MCP-Exclude-Tools` or `?apps=` value on every request
 * can evict indexes but never grow memory past the bound.
 *
 * An index is keyed by what it was built from — the catalog version (the identity of each tool's
 * definition object: a refreshed catalog has new ones) and the view (which tools, in which order)
 * — not by the request's spelling of it: two headers that leave the same tools share one index.
 * Hits carry positions, so a caller always gets its own view's tool objects back.
 */
export class SearchIndexCache {
  private readonly cache: LRUCache<string, ActionSearchIndex>;
  /** Each view's key, computed once per view object. */
  private readonly keys = new WeakMap<ToolView, string>();
  /** A number per tool definition object: its catalog version. */
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private builds = 0;

  constructor(options: SearchIndexCacheOptions) {
    this.cache = new LRUCache<string, ActionSearchIndex>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (index) => Math.max(1, Math.min(options.maxBytes, estimatedBytes(index))),
    });
  }

  /** The key of a view: its tools' definition objects, in order. */
  keyOf(view: ToolView): string {
    let key = this.keys.get(view);
    if (key === undefined) {
      const hash = createHash('sha256');
      for (const tool of view.tools) {
        let id = this.ids.get(tool.definition);
        if (id === undefined) {
          id = this.nextId++;
          this.ids.set(tool.definition, id);
        }
        hash.update(`${id},`);
      }
      key = `${view.tools.length}:${hash.digest('base64url')}`;
      this.keys.set(view, key);
    }
    return key;
  }

  /** The index of a view, built on first use (and again after eviction). */
  index(view: ToolView): ActionSearchIndex {
    const key = this.keyOf(view);
    let index = this.cache.get(key);
    if (!index) {
      index = new ActionSearchIndex(view.tools);
      this.builds++;
      this.cache.set(key, index);
    }
    return index;
  }

  /** Indexes held now, their estimated bytes, and how many were built since start. */
  stats(): { entries: number; bytes: number; builds: number } {
    return { entries: this.cache.size, bytes: this.cache.calculatedSize, builds: this.builds };
  }
}
