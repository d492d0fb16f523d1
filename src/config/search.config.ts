import { ConfigType, registerAs } from '@nestjs/config';
import { EnvironmentVariables, validateEnv } from './env.validation';

function buildSearch(env: EnvironmentVariables) {
  const embeddingsUrl = env.SEARCH_EMBEDDINGS_URL?.replace(/\/+$/, '');
  return {
    /** Search indexes kept across all tenants (one per catalog version and view): at most this many… */
    indexCacheMaxEntries: env.SEARCH_INDEX_CACHE_MAX_ENTRIES,
    /** …and at most this many bytes (estimated). */
    indexCacheMaxBytes: env.SEARCH_INDEX_CACHE_MAX_MB * 1024 * 1024,
    /** An OpenAI-compatible embeddings endpoint (`…/v1/embeddings`), fused with the local ranker; off when unset. */
    embeddings: embeddingsUrl
      ? {
          url: /\/embeddings$/.test(embeddingsUrl) ? embeddingsUrl : `${embeddingsUrl}/embeddings`,
          model: env.SEARCH_EMBEDDINGS_MODEL ?? '',
          apiKey: env.SEARCH_EMBEDDINGS_API_KEY,
          timeoutMs: env.SEARCH_EMBEDDINGS_TIMEOUT_MS,
        }
      : undefined,
    /** Integration.app's own action search (`GET /actions?intent=…`), fused with the local ranker. */
    upstream: env.SEARCH_UPSTREAM,
    upstreamTimeoutMs: env.SEARCH_UPSTREAM_TIMEOUT_MS,
  };
}

/** Search providers and the bounds of their caches (SPEC §17). */
export const searchConfig = registerAs('search', () => buildSearch(validateEnv(process.env)));
export type SearchConfig = ConfigType<typeof searchConfig>;
