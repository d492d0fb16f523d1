import { validateEnv } from './env.validation';

describe('validateEnv', () => {
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
});
