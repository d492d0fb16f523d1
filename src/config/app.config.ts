import { ConfigType, registerAs } from '@nestjs/config';
import { EnvironmentVariables, validateEnv } from './env.validation';

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

function splitList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

function build(env: EnvironmentVariables) {
  const publicUrl = env.PUBLIC_URL?.replace(/\/+$/, '');
  const oauthAuthorizationServers = env.OAUTH_AUTHORIZATION_SERVERS ? splitList(env.OAUTH_AUTHORIZATION_SERVERS) : [];
  return {
    port: env.PORT,
    host: env.HOST,
    bodyLimit: env.BODY_LIMIT,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    allowedOrigins: env.ALLOWED_ORIGINS
      ? env.ALLOWED_ORIGINS.split(',')
          .map((o) => o.trim())
          .filter(Boolean)
      : [],
    allowQueryToken: env.ALLOW_QUERY_TOKEN,
    logLevel: env.LOG_LEVEL,
    /** How long log lines are gathered before one write (0: each line at once). */
    logFlushMs: env.LOG_FLUSH_MS,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    maxStreamsPerIdentity: env.MAX_STREAMS_PER_IDENTITY,
    maxConcurrentCallsPerIdentity: env.MAX_CONCURRENT_CALLS_PER_IDENTITY,
    tokenChecksPerMinute: env.TOKEN_CHECKS_PER_MINUTE,
    tokenChecksGlobalPerMinute: env.TOKEN_CHECKS_GLOBAL_PER_MINUTE,
    maxConcurrentTokenChecks: env.MAX_CONCURRENT_TOKEN_CHECKS,
    /** The URL clients use (behind a gateway), for the URLs the server announces. */
    publicUrl,
    /** OAuth authorization servers whose tokens this resource accepts (RFC 9728 metadata). */
    oauthAuthorizationServers,
    /** Where the RFC 9728 metadata is served (and announced on 401s), when OAuth discovery is configured. */
    resourceMetadataUrl: publicUrl && oauthAuthorizationServers.length ? `${publicUrl}/.well-known/oauth-protected-resource/mcp` : undefined,
    /** One `audit` line per tool call, whatever LOG_LEVEL says. */
    auditLog: env.AUDIT_LOG,
    /** Key of the audit line's `argumentsHmac`; undefined: a random key per process (lines do not correlate across replicas or restarts). */
    auditHashKey: env.AUDIT_HASH_KEY,
    /** The operator's ceiling on tools (SPEC §13): requests can only narrow it. */
    toolPolicy: {
      readOnly: env.READ_ONLY,
      allow: env.TOOLS_ALLOW ? [splitList(env.TOOLS_ALLOW)] : [],
      deny: env.TOOLS_DENY ? splitList(env.TOOLS_DENY) : [],
    },
    metricsRequireAuth: env.METRICS_REQUIRE_AUTH,
    metricsToken: env.METRICS_TOKEN,
  };
}

function buildIntegrationApp(env: EnvironmentVariables) {
  return {
    apiUrl: env.INTEGRATION_APP_API_URL.replace(/\/+$/, ''),
    workspaceKey: env.INTEGRATION_APP_WORKSPACE_KEY,
    workspaceSecret: env.INTEGRATION_APP_WORKSPACE_SECRET,
    /** Check at start-up that Integration.app accepts tokens signed with the workspace secret. */
    checkWorkspaceSecret: env.CHECK_WORKSPACE_SECRET,
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS,
    upstreamRetries: env.UPSTREAM_RETRIES,
    actionTimeoutMs: env.ACTION_TIMEOUT_MS,
    catalogTtlSeconds: env.CATALOG_TTL_SECONDS,
    catalogMaxEntries: env.CATALOG_MAX_ENTRIES,
    catalogFetchConcurrency: env.CATALOG_FETCH_CONCURRENCY,
  };
}

function buildSessions(env: EnvironmentVariables) {
  return {
    idleTtlSeconds: env.SESSION_IDLE_TTL_SECONDS,
    maxSessions: env.MAX_SESSIONS,
    maxSessionsPerIdentity: env.MAX_SESSIONS_PER_IDENTITY,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    redisReadyTimeoutMs: env.REDIS_READY_TIMEOUT_MS,
  };
}

function buildRuns(env: EnvironmentVariables) {
  const modes = env.ACTION_WAIT_MODES.trim() === 'none' ? [] : splitList(env.ACTION_WAIT_MODES);
  return {
    waitMs: Math.round(env.ACTION_WAIT_SECONDS * 1000),
    waitModes: modes as Array<'static' | 'dynamic' | 'search'>,
    resultTtlSeconds: env.ACTION_RESULT_TTL_SECONDS,
    maxRunsPerIdentity: env.MAX_RUNS_PER_IDENTITY,
    progressIntervalMs: env.PROGRESS_INTERVAL_MS,
    actionTimeoutMs: env.ACTION_TIMEOUT_MS,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    redisReadyTimeoutMs: env.REDIS_READY_TIMEOUT_MS,
  };
}

function buildConnect(env: EnvironmentVariables) {
  return {
    /** Where list-apps and connect-app are listed: search mode (default), every mode, or nowhere. */
    tools: env.CONNECT_TOOLS,
    linkTtlSeconds: env.CONNECT_LINK_TTL_SECONDS,
    /** Unused links an identity may hold at once (connect-app refuses more). */
    linksPerIdentity: env.CONNECT_LINKS_PER_IDENTITY,
    /** How long the customer's connections are polled after a link was opened (0: not at all). */
    watchSeconds: env.CONNECT_WATCH_SECONDS,
    watchIntervalMs: env.CONNECT_WATCH_INTERVAL_MS,
    uiUrl: env.INTEGRATION_APP_UI_URL.replace(/\/+$/, ''),
  };
}

/** HTTP server, security and operations settings. */
export const appConfig = registerAs('app', () => build(validateEnv(process.env)));
export type AppConfig = ConfigType<typeof appConfig>;

/** Integration.app API, upstream timeouts and the tool catalog cache. */
export const integrationAppConfig = registerAs('integrationApp', () => buildIntegrationApp(validateEnv(process.env)));
export type IntegrationAppConfig = ConfigType<typeof integrationAppConfig>;

/** Session store, idle expiry and limits. */
export const sessionsConfig = registerAs('sessions', () => buildSessions(validateEnv(process.env)));
export type SessionsConfig = ConfigType<typeof sessionsConfig>;

/** Long-running actions (SPEC §18): the wait before a run handle, where it applies, how results are kept, progress. */
export const runsConfig = registerAs('runs', () => buildRuns(validateEnv(process.env)));
export type RunsConfig = ConfigType<typeof runsConfig>;

/** Connecting apps from the conversation: which modes list the tools, links, the Integration.app UI. */
export const connectConfig = registerAs('connect', () => buildConnect(validateEnv(process.env)));
export type ConnectConfig = ConfigType<typeof connectConfig>;
