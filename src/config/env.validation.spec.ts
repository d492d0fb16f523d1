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
  ])('stops start-up on a bad %s, naming it', (name, value) => {
    expect(() => validateEnv({ [name]: value })).toThrow(new RegExp(`Invalid configuration:[\\s\\S]*${name}`));
  });

  it('requires METRICS_TOKEN when metrics need auth', () => {
    expect(() => validateEnv({ METRICS_REQUIRE_AUTH: 'true' })).toThrow(/METRICS_TOKEN/);
  });
});
