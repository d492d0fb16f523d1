import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, validateSync } from 'class-validator';

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value);
const toNumber = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value.trim()) : value);
const emptyToUndefined = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/**
 * Every environment variable the server reads, with its default. Validated once at boot:
 * a bad value stops start-up with a message naming the variable.
 */
export class EnvironmentVariables {
  @Transform(toInt)
  @Min(0)
  @Max(65535)
  @IsInt()
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Transform(emptyToUndefined)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  INTEGRATION_APP_API_URL = 'https://api.integration.app';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  INTEGRATION_APP_WORKSPACE_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  INTEGRATION_APP_WORKSPACE_SECRET?: string;

  /** At start-up, one GET /self with a token signed with the workspace secret: warns when Integration.app rejects it. */
  @Transform(toBool)
  @IsBoolean()
  CHECK_WORKSPACE_SECRET = true;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must start with redis:// or rediss://' })
  REDIS_URL?: string;

  @Transform(emptyToUndefined)
  @IsString()
  REDIS_KEY_PREFIX = 'iamcp:';

  @Transform(toInt)
  @Min(1)
  @IsInt()
  SESSION_IDLE_TTL_SECONDS = 3600;

  @Transform(toInt)
  @Min(1)
  @IsInt()
  MAX_SESSIONS = 50000;

  @Transform(toInt)
  @Min(0)
  @IsInt()
  CATALOG_TTL_SECONDS = 300;

  @Transform(toInt)
  @Min(1)
  @IsInt()
  CATALOG_MAX_ENTRIES = 1000;

  /** Action lists of one catalog fetched at once: above the usual 20–30 connections, so a cold catalog costs two upstream round trips. */
  @Transform(toInt)
  @Min(1)
  @Max(256)
  @IsInt()
  CATALOG_FETCH_CONCURRENCY = 64;

  @Transform(toInt)
  @Min(100)
  @IsInt()
  UPSTREAM_TIMEOUT_MS = 15000;

  @Transform(toInt)
  @Min(0)
  @Max(10)
  @IsInt()
  UPSTREAM_RETRIES = 2;

  @Transform(toInt)
  @Min(100)
  @IsInt()
  ACTION_TIMEOUT_MS = 60000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  ALLOWED_ORIGINS?: string;

  @Transform(toBool)
  @IsBoolean()
  ALLOW_QUERY_TOKEN = true;

  @Transform(emptyToUndefined)
  @Matches(/^\d+(b|kb|mb)?$/i, { message: 'BODY_LIMIT must look like 1mb, 512kb or 100000' })
  BODY_LIMIT = '1mb';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Log lines are gathered for up to this long and written together; 0 writes each line at once. */
  @Transform(toInt)
  @Min(0)
  @Max(1000)
  @IsInt()
  LOG_FLUSH_MS = 10;

  @Transform(emptyToUndefined)
  @IsString()
  TRUST_PROXY = 'false';

  @Transform(toInt)
  @Min(0)
  @IsInt()
  RATE_LIMIT_PER_MINUTE = 600;

  @Transform(toBool)
  @IsBoolean()
  READ_ONLY = false;

  @Transform(toBool)
  @IsBoolean()
  AUDIT_LOG = true;

  /** Key of the audit line's `argumentsHmac` (HMAC-SHA256); unset: a random key per process. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Matches(/^.{32,}$/s, { message: 'AUDIT_HASH_KEY must be at least 32 characters (e.g. openssl rand -hex 32)' })
  AUDIT_HASH_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  PUBLIC_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  OAUTH_AUTHORIZATION_SERVERS?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._,\s-]*$/, { message: 'TOOLS_ALLOW must be a comma-separated list of tool names or integration keys' })
  TOOLS_ALLOW?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._,\s-]*$/, { message: 'TOOLS_DENY must be a comma-separated list of tool names or integration keys' })
  TOOLS_DENY?: string;

  @Transform(toInt)
  @Min(1)
  @IsInt()
  MAX_SESSIONS_PER_IDENTITY = 100;

  @Transform(toInt)
  @Min(0)
  @IsInt()
  REDIS_READY_TIMEOUT_MS = 5000;

  @Transform(toInt)
  @Min(1)
  @IsInt()
  MAX_STREAMS_PER_IDENTITY = 20;

  @Transform(toInt)
  @Min(1)
  @IsInt()
  MAX_CONCURRENT_CALLS_PER_IDENTITY = 10;

  @Transform(toInt)
  @Min(1)
  @IsInt()
  TOKEN_CHECKS_PER_MINUTE = 20;

  /** Upstream checks of new tokens per minute, all identities together (0: no global rate). */
  @Transform(toInt)
  @Min(0)
  @IsInt()
  TOKEN_CHECKS_GLOBAL_PER_MINUTE = 600;

  /** Upstream checks of new tokens running at once on this replica. */
  @Transform(toInt)
  @Min(1)
  @IsInt()
  MAX_CONCURRENT_TOKEN_CHECKS = 32;

  @Transform(toBool)
  @IsBoolean()
  METRICS_REQUIRE_AUTH = false;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  METRICS_TOKEN?: string;

  @Transform(toInt)
  @Min(0)
  @IsInt()
  SHUTDOWN_GRACE_MS = 20000;

  /** Long-running actions (SPEC §18): how long a call runs before it answers with a run handle (seconds; decimals allowed). */
  @Transform(toNumber)
  @Min(0.1)
  @Max(3600)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'ACTION_WAIT_SECONDS must be a number of seconds (e.g. 25 or 0.5)' })
  ACTION_WAIT_SECONDS = 25;

  /** The modes where the wait applies and get-action-result is listed: a comma list of static, dynamic, search, or none. */
  @Transform(emptyToUndefined)
  @Matches(/^\s*(none|(static|dynamic|search)(\s*,\s*(static|dynamic|search))*)\s*$/, {
    message: 'ACTION_WAIT_MODES must be a comma-separated list of static, dynamic, search (or none)',
  })
  ACTION_WAIT_MODES = 'search';

  /** How long a finished run's result can be fetched with get-action-result. */
  @Transform(toInt)
  @Min(1)
  @Max(7 * 24 * 3600)
  @IsInt()
  ACTION_RESULT_TTL_SECONDS = 900;

  /** Run handles kept per identity (all replicas); beyond it the oldest finished one is dropped. */
  @Transform(toInt)
  @Min(1)
  @Max(10000)
  @IsInt()
  MAX_RUNS_PER_IDENTITY = 50;

  /** Interval of notifications/progress while a tools/call with a progressToken runs (SPEC §18: at most 10 s). */
  @Transform(toInt)
  @Min(100)
  @Max(10000)
  @IsInt()
  PROGRESS_INTERVAL_MS = 5000;

  // Search (SPEC §17): index cache bounds across all tenants, optional embeddings and upstream providers.
  @Transform(toInt)
  @Min(1)
  @IsInt()
  SEARCH_INDEX_CACHE_MAX_ENTRIES = 256;

  @Transform(toInt)
  @Min(1)
  @IsInt()
  SEARCH_INDEX_CACHE_MAX_MB = 256;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  SEARCH_EMBEDDINGS_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  SEARCH_EMBEDDINGS_MODEL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  SEARCH_EMBEDDINGS_API_KEY?: string;

  @Transform(toInt)
  @Min(1)
  @Max(60000)
  @IsInt()
  SEARCH_EMBEDDINGS_TIMEOUT_MS = 1000;

  @Transform(toBool)
  @IsBoolean()
  SEARCH_UPSTREAM = false;

  @Transform(toInt)
  @Min(1)
  @Max(60000)
  @IsInt()
  SEARCH_UPSTREAM_TIMEOUT_MS = 1000;

  // Connecting apps from the conversation (SPEC §16; docs/connect.md).
  @IsIn(['search', 'all', 'none'], { message: 'CONNECT_TOOLS must be search (list-apps and connect-app in search mode), all or none' })
  CONNECT_TOOLS: 'search' | 'all' | 'none' = 'search';

  @Transform(toInt)
  @Min(30)
  @Max(86400)
  @IsInt()
  CONNECT_LINK_TTL_SECONDS = 600;

  @Transform(toInt)
  @Min(1)
  @Max(1000)
  @IsInt()
  CONNECT_LINKS_PER_IDENTITY = 10;

  @Transform(toInt)
  @Min(0)
  @Max(840)
  @IsInt()
  CONNECT_WATCH_SECONDS = 300;

  @Transform(toInt)
  @Min(200)
  @Max(60000)
  @IsInt()
  CONNECT_WATCH_INTERVAL_MS = 2000;

  @Transform(emptyToUndefined)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  INTEGRATION_APP_UI_URL = 'https://ui.integration.app';
}

/** Variables without a default (optional), read as they are. */
const OPTIONAL_KEYS = [
  'INTEGRATION_APP_WORKSPACE_KEY',
  'INTEGRATION_APP_WORKSPACE_SECRET',
  'REDIS_URL',
  'ALLOWED_ORIGINS',
  'METRICS_TOKEN',
  'TOOLS_ALLOW',
  'TOOLS_DENY',
  'AUDIT_HASH_KEY',
  'PUBLIC_URL',
  'OAUTH_AUTHORIZATION_SERVERS',
  'SEARCH_EMBEDDINGS_URL',
  'SEARCH_EMBEDDINGS_MODEL',
  'SEARCH_EMBEDDINGS_API_KEY',
];

/**
 * The last environment validated and its result. Start-up asks for the validated environment from
 * several places (the config module's `validate`, each `registerAs` slice, `bootstrap`'s early
 * check); they all get this one validation while the variables are unchanged.
 */
let last: { fingerprint: string; validated: EnvironmentVariables } | undefined;

/** Validates the variables this server reads (once per distinct set of values; see `last`). */
export function validateEnv(config: Record<string, unknown>): EnvironmentVariables {
  const defaults = new EnvironmentVariables();
  const keys = [...Object.keys(defaults), ...OPTIONAL_KEYS];
  const fingerprint = JSON.stringify(keys.map((key) => config[key] ?? null));
  if (last?.fingerprint === fingerprint) return last.validated;
  const validated = validateFresh(config, defaults, keys);
  last = { fingerprint, validated };
  return validated;
}

function validateFresh(config: Record<string, unknown>, defaults: EnvironmentVariables, keys: string[]): EnvironmentVariables {
  const merged: Record<string, unknown> = { ...defaults };
  for (const key of keys) if (config[key] !== undefined) merged[key] = config[key];
  const validated = plainToInstance(EnvironmentVariables, merged);
  const errors = validateSync(validated, { skipMissingProperties: false, stopAtFirstError: true });
  if (errors.length > 0) {
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `  - ${e.property}: ${m}`));
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (validated.OAUTH_AUTHORIZATION_SERVERS) {
    const bad = validated.OAUTH_AUTHORIZATION_SERVERS.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .find((s) => !/^https?:\/\/[^\s,]+$/.test(s));
    if (bad !== undefined) throw new Error(`Invalid configuration:\n  - OAUTH_AUTHORIZATION_SERVERS: "${bad}" is not an http(s) URL`);
    if (!validated.PUBLIC_URL)
      throw new Error(
        'Invalid configuration:\n  - PUBLIC_URL: required when OAUTH_AUTHORIZATION_SERVERS is set (the URL clients use, e.g. behind the gateway)',
      );
  }
  if (validated.SEARCH_EMBEDDINGS_URL && !validated.SEARCH_EMBEDDINGS_MODEL) {
    throw new Error('Invalid configuration:\n  - SEARCH_EMBEDDINGS_MODEL: required when SEARCH_EMBEDDINGS_URL is set (the model the endpoint embeds with)');
  }
  if (validated.METRICS_REQUIRE_AUTH && !validated.METRICS_TOKEN) {
    throw new Error('Invalid configuration:\n  - METRICS_TOKEN: required when METRICS_REQUIRE_AUTH=true');
  }
  return validated;
}

/** Validates the process environment; throws the same clear error as the config module would. */
export function assertValidEnvironment(): void {
  validateEnv(process.env);
}
