import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { Bindings, Level, Logger } from 'pino';
import type { AppConfig } from '../../config/app.config';
import { redactSecrets } from '../redact';
import { stdoutDestination } from './log-destination';
import { hashedSessionRef } from './session-log-ref';
import { authFailureOf } from '../auth-failure';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const CONNECT_LINK_PATH = /^\/connect\/[^/]*/;
/** Probes and scrapes: no access line (they would drown the rest). */
const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/** The incoming `x-request-id` when it is a sane id, else a new UUID; echoed back as a response header. */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/** What a JSON-RPC exchange answered, beyond its HTTP status (HTTP 200 carries refusals too). */
export type RpcOutcome = 'rpc_error' | 'tool_error';
const RPC_OUTCOME = Symbol('rpcOutcome');

/**
 * Notes on the response what its JSON-RPC answer said, for the access line (`rpcOutcome`, and
 * `rpcCode` for a JSON-RPC error): a refused call answered 200 is not logged as a plain success.
 * A JSON-RPC error outranks a tool error (a batch shows its worst answer).
 */
export function noteRpcOutcome(res: ServerResponse, outcome: RpcOutcome, rpcCode?: number): void {
  const holder = res as ServerResponse & { [RPC_OUTCOME]?: { outcome: RpcOutcome; rpcCode?: number } };
  if (holder[RPC_OUTCOME]?.outcome === 'rpc_error') return;
  holder[RPC_OUTCOME] = { outcome, ...(Number.isInteger(rpcCode) ? { rpcCode } : {}) };
}

/** Notes the outcome of JSON-RPC answers (see `noteRpcOutcome`). */
export function noteRpcAnswers(res: ServerResponse, answers: readonly unknown[]): void {
  for (const answer of answers) {
    const a = answer as { error?: { code?: unknown }; result?: { isError?: unknown } };
    if (a.error) noteRpcOutcome(res, 'rpc_error', typeof a.error.code === 'number' ? a.error.code : undefined);
    else if (a.result?.isError === true) noteRpcOutcome(res, 'tool_error');
  }
}

function rpcOutcomeOf(res: ServerResponse): { rpcOutcome?: RpcOutcome; rpcCode?: number } {
  const noted = (res as ServerResponse & { [RPC_OUTCOME]?: { outcome: RpcOutcome; rpcCode?: number } })[RPC_OUTCOME];
  return noted ? { rpcOutcome: noted.outcome, ...(noted.rpcCode !== undefined ? { rpcCode: noted.rpcCode } : {}) } : {};
}

/** The id `requestLogging` gave the request ('-' for one it did not see). */
export function loggedRequestId(req: IncomingMessage): string {
  const id = (req as { id?: unknown }).id;
  return typeof id === 'string' ? id : '-';
}

/**
 * The root logger: JSON lines, secrets redacted from errors and from anything that looks like a header.
 * Lines go to stdout, gathered for `LOG_FLUSH_MS` (see `gatheringDestination`).
 */
export function createRootLogger(
  config: Pick<AppConfig, 'logLevel'> & Partial<Pick<AppConfig, 'logFlushMs'>>,
  destination: pino.DestinationStream = stdoutDestination(config.logFlushMs ?? 0),
): Logger {
  return pino(
    {
      level: config.logLevel,
      serializers: {
        // Never the error's own fields (an axios error carries the Authorization header in `config`).
        err: (err: { name?: string; message?: string; stack?: string }) => ({
          type: err?.name,
          message: redactSecrets(String(err?.message ?? err)),
          ...(err?.stack ? { stack: redactSecrets(err.stack) } : {}),
        }),
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.query', 'token', '*.token', 'authorization', '*.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** What the auth guard and Express add to the request (read only, never logged whole). */
interface LoggedRequest extends IncomingMessage {
  auth?: { identity?: { key?: string } };
  query?: Record<string, unknown>;
  originalUrl?: string;
}

/** Longest path a log line shows (the rest is cut: a path is the client's text). */
const MAX_LOGGED_PATH = 256;

/**
 * A request's path as a log line may show it: never the query string, a token pasted into the
 * path itself (`/x/<jwt>`) scrubbed, cut to `MAX_LOGGED_PATH` characters.
 */
export function loggedPath(req: { originalUrl?: string; url?: string }): string {
  const url = req.originalUrl ?? req.url ?? '';
  const q = url.indexOf('?');
  // A connect link's id (`/connect/<id>`) opens a connection flow for its customer until used: never logged.
  const path = redactSecrets((q === -1 ? url : url.slice(0, q)).replace(CONNECT_LINK_PATH, '/connect/{id}'));
  return path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path;
}

/** The fields of a request's log lines: `req` (id, method, path — never the query string). */
function requestBindings(req: LoggedRequest, id: string): Bindings {
  return { req: { id, method: req.method, path: loggedPath(req) } };
}

/**
 * The logger bound to one request (`req.log`, for code that has the request at hand). Its pino
 * child is created on the first line actually written, so a request that logs nothing (the usual
 * case) costs no child logger.
 */
export class RequestScopedLogger {
  private bound?: Logger;

  constructor(
    private readonly root: Logger,
    private readonly bindings: () => Bindings,
  ) {}

  private get logger(): Logger {
    return (this.bound ??= this.root.child(this.bindings()));
  }

  get level(): string {
    return this.root.level;
  }

  isLevelEnabled(level: Level): boolean {
    return this.root.isLevelEnabled(level);
  }

  child(bindings: Bindings): Logger {
    return this.logger.child(bindings);
  }

  private write(level: Level, args: unknown[]): void {
    if (this.root.isLevelEnabled(level)) (this.logger[level] as (...a: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
}

/**
 * Correlation fields of the access line: the Streamable HTTP session id (header, or the id a fresh
 * `initialize` was given), a 12-char prefix of the hashed identity, and for the legacy SSE transport
 * only a hash of its session id (`sseSession`): that id alone authorizes `POST /sse/messages`.
 */
function correlation(req: LoggedRequest, res: ServerResponse): { sessionId?: string; sseSession?: string; identity?: string } {
  const header = req.headers['mcp-session-id'] ?? res.getHeader('mcp-session-id');
  const query = header === undefined && req.url?.includes('sessionId=') ? req.query?.sessionId : undefined;
  const identity = req.auth?.identity?.key;
  return {
    ...(typeof header === 'string' && header ? { sessionId: header.slice(0, 128) } : {}),
    ...(typeof query === 'string' && query ? { sseSession: hashedSessionRef(query, 'sse') } : {}),
    ...(identity ? { identity: identity.slice(0, 12) } : {}),
  };
}

/**
 * Express middleware, first in the chain: gives every request an id (`x-request-id`, echoed back)
 * and a request-bound logger (`req.log`, which nestjs-pino binds to the request's async context),
 * and writes one access line when the response ends — `info`, or `error` for 5xx — with request
 * id, method, path (no query string), status, response time, session id and hashed identity, and
 * for a 401 its reason (`authFailure`, a closed set: never the token).
 * Requests rejected before routing (bad JSON, 413, Origin) get their line too.
 */
function authFailureField(res: ServerResponse): { authFailure?: string } {
  const reason = authFailureOf(res);
  return reason ? { authFailure: reason } : {};
}

export function requestLogging(root: Logger) {
  return (request: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const req = request as LoggedRequest & { id?: unknown; log?: unknown };
    const id = requestIdFor(req, res);
    req.id = id;
    // The effective id, for code that only sees the headers (the MCP SDK's request info, the audit line).
    req.headers['x-request-id'] = id;
    req.log = new RequestScopedLogger(root, () => requestBindings(req, id)) as unknown as Logger;
    if (QUIET_PATHS.test(req.url ?? '')) return next();
    const started = performance.now();
    const done = () => {
      res.off('finish', done);
      res.off('close', done);
      const status = res.statusCode;
      const level: Level = status >= 500 ? 'error' : 'info';
      if (!root.isLevelEnabled(level)) return;
      root[level](
        {
          ...requestBindings(req, id),
          res: { statusCode: status },
          responseTime: Math.round(performance.now() - started),
          ...correlation(req, res),
          ...rpcOutcomeOf(res),
          ...authFailureField(res),
        },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
