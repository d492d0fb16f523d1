import { validateEnv } from './env.validation';

describe('validateEnv', () => {
  it('validates a set of values once: the config module, each config slice and bootstrap share the result', () => {
    const env = { PORT: '8081', LOG_LEVEL: 'warn' };
    const first = validateEnv(env);
    expect(validateEnv({ ...env })).toBe(first);
    const other = validateEnv({ ...env, PORT: '8082' });
    expect(other).not.toBe(first);
    expect(other.PORT).toBe(8082);
  });

  it('applies every default', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      INTEGRATION_APP_API_URL: 'https://api.integration.app',
      ALLOW_QUERY_TOKEN: true,
      BODY_LIMIT: '1mb',
      LOG_LEVEL: 'info',
      CONNECT_TOOLS: 'search',
      CONNECT_LINK_TTL_SECONDS: 600,
      INTEGRATION_APP_UI_URL: 'https://ui.integration.app',
    });
  });

  it('parses numbers and booleans from strings', () => {
    expect(validateEnv({ PORT: '8080', ALLOW_QUERY_TOKEN: 'false', MAX_SESSIONS: '10' })).toMatchObject({
      PORT: 8080,
      ALLOW_QUERY_TOKEN: false,
      MAX_SESSIONS: 10,
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['INTEGRATION_APP_API_URL', 'not a url'],
    ['REDIS_URL', 'http://redis'],
    ['LOG_LEVEL', 'loud'],
    ['BODY_LIMIT', 'huge'],
    ['ALLOW_QUERY_TOKEN', 'maybe'],
    ['SESSION_IDLE_TTL_SECONDS', '0'],
    ['AUDIT_HASH_KEY', 'too-short'],
    ['MAX_CONCURRENT_TOKEN_CHECKS', '0'],
    ['CONNECT_TOOLS', 'some'],
    ['CONNECT_LINK_TTL_SECONDS', '5'],
    ['CONNECT_LINKS_PER_IDENTITY', '0'],
    ['CONNECT_WATCH_SECONDS', '3600'],
    ['INTEGRATION_APP_UI_URL', 'javascript:alert(1)'],
  ])('stops start-up on a bad %s, naming it', (name, value) => {
    expect(() => validateEnv({ [name]: value })).toThrow(new RegExp(`Invalid configuration:[\\s\\S]*${name}`));
  });

  it('requires METRICS_TOKEN when metrics need auth', () => {
    expect(() => validateEnv({ METRICS_REQUIRE_AUTH: 'true' })).toThrow(/METRICS_TOKEN/);
  });

  describe('long-running actions (SPEC §18)', () => {
    it('defaults: a 25 s wait in search mode, results kept 900 s, 50 runs per identity, progress every 5 s', () => {
      expect(validateEnv({})).toMatchObject({
        ACTION_WAIT_SECONDS: 25,
        ACTION_WAIT_MODES: 'search',
        ACTION_RESULT_TTL_SECONDS: 900,
        MAX_RUNS_PER_IDENTITY: 50,
        PROGRESS_INTERVAL_MS: 5000,
      });
    });

    it('accepts decimal waits, mode lists and none', () => {
      expect(validateEnv({ ACTION_WAIT_SECONDS: '0.5', ACTION_WAIT_MODES: 'search, static,dynamic' })).toMatchObject({
        ACTION_WAIT_SECONDS: 0.5,
        ACTION_WAIT_MODES: 'search, static,dynamic',
      });
      expect(validateEnv({ ACTION_WAIT_MODES: 'none' }).ACTION_WAIT_MODES).toBe('none');
    });

    it.each([
      ['ACTION_WAIT_SECONDS', '0'],
      ['ACTION_WAIT_SECONDS', '-1'],
      ['ACTION_WAIT_SECONDS', '1e3'],
      ['ACTION_WAIT_SECONDS', '3601'],
      ['ACTION_WAIT_SECONDS', 'soon'],
      ['ACTION_WAIT_MODES', 'search,fast'],
      ['ACTION_WAIT_MODES', 'none,search'],
      ['ACTION_WAIT_MODES', 'search;static'],
      ['ACTION_RESULT_TTL_SECONDS', '0'],
      ['ACTION_RESULT_TTL_SECONDS', '1.5'],
      ['MAX_RUNS_PER_IDENTITY', '0'],
      ['MAX_RUNS_PER_IDENTITY', '10001'],
      ['PROGRESS_INTERVAL_MS', '99'],
      ['PROGRESS_INTERVAL_MS', '10001'],
    ])('stops start-up on %s=%s, naming it', (name, value) => {
      expect(() => validateEnv({ [name]: value })).toThrow(new RegExp(`Invalid configuration:[\\s\\S]*${name}`));
    });
  });
});
