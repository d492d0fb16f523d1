import { Injectable } from '@nestjs/common';
import type { ToolContext, ToolView } from '../tool-source';
import { ActionSearch, ActionSearchRequest, ActionSearchResult } from '../action-search.port';
import { SearchIndexCache } from './search-index-cache';

/**
 * The local ranker (default, no network): field-weighted BM25 with stems, synonyms, typo tolerance,
 * app recognition and read/write intent (`ActionSearchIndex`), over an index shared by every caller
 * with the same catalog version and view (`SearchIndexCache`).
 */
@Injectable()
export class LocalActionSearch extends ActionSearch {
  constructor(private readonly indexes: SearchIndexCache) {
    super();
  }

  async search(_ctx: ToolContext, view: ToolView, request: ActionSearchRequest): Promise<ActionSearchResult> {
    return this.searchNow(view, request);
  }

  /** The same, synchronously (benches, fusion). */
  searchNow(view: ToolView, request: ActionSearchRequest): ActionSearchResult {
    const { hits, total } = this.indexes.index(view).query(request.query, { apps: request.apps, limit: request.limit });
    // Positions, not the index's own tool objects: an index may be shared by views of equal content.
    return { hits: hits.map((h) => ({ tool: view.tools[h.id], score: h.score })), total };
  }
}
