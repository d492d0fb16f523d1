import { validateEnv } from './env.validation';
import { searchConfig } from './search.config';

function load(env: Record<string, string>) {
  const saved = { ...process.env };
  try {
    for (const key of Object.keys(process.env)) if (key.startsWith('SEARCH_')) delete process.env[key];
    Object.assign(process.env, env);
    return searchConfig();
  } finally {
    process.env = saved;
  }
}

describe('search configuration', () => {
  it('is local-only with bounded caches by default', () => {
    expect(load({})).toMatchObject({ indexCacheMaxEntries: 256, indexCacheMaxBytes: 256 * 1024 * 1024, embeddings: undefined, upstream: false });
  });

  it('reads the embeddings endpoint, adding /embeddings to a base URL', () => {
    expect(load({ SEARCH_EMBEDDINGS_URL: 'http://emb.local/v1/', SEARCH_EMBEDDINGS_MODEL: 'm', SEARCH_EMBEDDINGS_TIMEOUT_MS: '250' }).embeddings).toEqual({
      url: 'http://emb.local/v1/embeddings',
      model: 'm',
      apiKey: undefined,
      timeoutMs: 250,
    });
    expect(load({ SEARCH_EMBEDDINGS_URL: 'http://emb.local/v1/embeddings', SEARCH_EMBEDDINGS_MODEL: 'm' }).embeddings?.url).toBe(
      'http://emb.local/v1/embeddings',
    );
  });

  it.each([
    ['SEARCH_INDEX_CACHE_MAX_ENTRIES', '0'],
    ['SEARCH_INDEX_CACHE_MAX_MB', 'lots'],
    ['SEARCH_EMBEDDINGS_URL', 'not a url'],
    ['SEARCH_EMBEDDINGS_TIMEOUT_MS', '0'],
    ['SEARCH_UPSTREAM', 'maybe'],
    ['SEARCH_UPSTREAM_TIMEOUT_MS', '-1'],
  ])('stops start-up on a bad %s, naming it', (name, value) => {
    expect(() => validateEnv({ [name]: value, SEARCH_EMBEDDINGS_MODEL: 'm' })).toThrow(new RegExp(`Invalid configuration:[\\s\\S]*${name}`));
  });

  it('requires SEARCH_EMBEDDINGS_MODEL with SEARCH_EMBEDDINGS_URL', () => {
    expect(() => validateEnv({ SEARCH_EMBEDDINGS_URL: 'http://emb.local/v1' })).toThrow(/SEARCH_EMBEDDINGS_MODEL/);
  });
});
