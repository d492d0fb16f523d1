import type { Provider } from '@nestjs/common';
import { searchConfig, SearchConfig } from '../../config/search.config';
import { EmbeddingsActionSearch } from './embeddings-action-search';
import { FusedActionSearch } from './fused-action-search';
import { LocalActionSearch } from './local-action-search';
import { SearchIndexCache } from './search-index-cache';

/**
 * What `search-actions` searches with, as `ToolsModule` provides it (and the search evaluation wires
 * it): the shared index cache, the local ranker, the embeddings provider (active when configured),
 * and their fusion. Needs `ConfigModule.forFeature(searchConfig)` and `DiscoveryModule`.
 */
export const SEARCH_PROVIDERS: Provider[] = [
  {
    provide: SearchIndexCache,
    inject: [searchConfig.KEY],
    useFactory: (config: SearchConfig) => new SearchIndexCache({ maxEntries: config.indexCacheMaxEntries, maxBytes: config.indexCacheMaxBytes }),
  },
  LocalActionSearch,
  EmbeddingsActionSearch,
  FusedActionSearch,
];
