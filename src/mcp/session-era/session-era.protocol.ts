import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { JSONRPCMessage, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { AuthService } from '../../auth/auth.service';
import type { AuthContext } from '../../auth/identity';
import { BadRequestError, DomainError, SessionNotFoundError } from '../../common/domain.errors';
import { JsonRpcErrorCode, RpcError } from '../../common/json-rpc';
import { IntegrationsService } from '../../integrations/integrations.service';
import { TenantLimits } from '../../limits/tenant-limits';
import { SessionsService } from '../../sessions/sessions.service';
import type { SessionRecord } from '../../sessions/session.types';
import { requestPolicy } from '../../tools/policy';
import { ToolRegistry } from '../../tools/tool-registry';
import { cancellations, containsInitialize, isSingleInitialize, parseJsonRpcBody } from '../json-rpc-body';
import { InFlightRequests } from '../notifications/in-flight.requests';
import { NotificationHub } from '../notifications/notification.hub';
import { sessionToolContext } from '../request-context';
import { requestSessionOptions, SessionOptions } from '../request-options';
import { describeRequest, McpExchange, RequestTracer } from '../request-tracer';
import { SessionEraAnswer, sessionEraAnswer } from './answer';

export const SESSION_HEADER = 'mcp-session-id';

/** What the protocol layer reads of an HTTP request (an Express request is one). */
export type McpHttpRequest = Pick<Request, 'path' | 'query' | 'headers'>;

class NotAcceptableError extends DomainError {
  readonly httpStatus = 406;
  readonly rpcCode = JsonRpcErrorCode.ServerError;
}
class UnsupportedMediaTypeError extends DomainError {
  readonly httpStatus = 415;
  readonly rpcCode = JsonRpcErrorCode.ServerError;
}

const isPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

function header(req: McpHttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function accepts(req: McpHttpRequest, ...types: string[]): boolean {
  const accept = header(req, 'accept') ?? '';
  return types.every((t) => accept.includes(t) || accept.includes('*/*'));
}

/** How a session is opened: by which transport, and what its `initialize` declared (Streamable HTTP). */
export interface SessionOpening {
  /** The legacy SSE transport chooses the id (its stream announces it). */
  readonly id?: string;
  readonly transport: SessionRecord['transport'];
  readonly protocolVersion?: string;
  readonly clientElicitsUrl?: boolean;
}

/**
 * The session era's protocol layer (2025-11-25 and earlier: `initialize`, `Mcp-Session-Id`): every
 * protocol decision of its transports — the headers the revision requires, opening, loading and
 * closing sessions (mode, `apps` and policy parsed once, here), cancellations sent in other HTTP
 * requests, and how a POST is answered (`SessionEraAnswer`: the tool decisions in it are the
 * registry's). The transports in `transports/` read requests and write what this layer decided.
 */
@Injectable()
export class SessionEraProtocol {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly tools: ToolRegistry,
    private readonly integrations: IntegrationsService,
    private readonly hub: NotificationHub,
    private readonly inFlight: InFlightRequests,
    private readonly tracer: RequestTracer,
    private readonly limits: TenantLimits,
  ) {}

  /** A POST's JSON-RPC messages, after the headers Streamable HTTP requires of it (406, 415). */
  postedMessages(req: McpHttpRequest & Pick<Request, 'body'>): JSONRPCMessage[] {
    if (!accepts(req, 'application/json', 'text/event-stream')) {
      throw new NotAcceptableError('Not Acceptable: the client must accept both application/json and text/event-stream.');
    }
    const contentType = header(req, 'content-type') ?? '';
    if (!/^application\/(.+\+)?json\b/i.test(contentType)) {
      throw new UnsupportedMediaTypeError('Unsupported Media Type: Content-Type must be application/json.');
    }
    return parseJsonRpcBody(req.body);
  }

  /**
   * The session a POST's messages run in: a lone `initialize` without `Mcp-Session-Id` opens one;
   * any other message needs the header and loads the caller's session (verifying the caller's claims).
   */
  session(req: McpHttpRequest, auth: AuthContext, messages: JSONRPCMessage[]): Promise<SessionRecord> {
    const id = header(req, SESSION_HEADER);
    if (!id) {
      if (!isSingleInitialize(messages)) {
        throw new BadRequestError(
          containsInitialize(messages)
            ? 'Invalid Request: initialize must be sent alone, not in a batch.'
            : 'Bad Request: Mcp-Session-Id header is required; open a session with an initialize request first.',
          JsonRpcErrorCode.ServerError,
        );
      }
      return this.initialize(req, auth, messages[0]);
    }
    if (containsInitialize(messages)) {
      throw new BadRequestError(
        'Invalid Request: this session is already initialized; omit Mcp-Session-Id to open a new one.',
        JsonRpcErrorCode.InvalidRequest,
      );
    }
    this.checkProtocolVersion(req);
    return this.load(id, auth);
  }

  private async initialize(req: McpHttpRequest, auth: AuthContext, message: JSONRPCMessage): Promise<SessionRecord> {
    const options = await this.prepareOpen(req, auth);
    const init = message as { params?: { protocolVersion?: string; capabilities?: { elicitation?: { url?: unknown } } } };
    return this.open(req, auth, options, {
      transport: 'streamable-http',
      protocolVersion: init.params?.protocolVersion,
      clientElicitsUrl: isPlainObject(init.params?.capabilities?.elicitation?.url),
    });
  }

  /**
   * Forwards the `notifications/cancelled` among the messages: the request each names runs in
   * another HTTP request, maybe on another replica. Undefined when there are none (no await then).
   */
  forwardCancellations(session: SessionRecord, messages: JSONRPCMessage[]): Promise<void> | undefined {
    const cancelled = cancellations(messages);
    if (cancelled.length === 0) return undefined;
    return (async () => {
      for (const { requestId, reason } of cancelled) await this.inFlight.cancel(session.id, requestId, reason);
    })();
  }

  /** How the POST is answered (see {@link SessionEraAnswer}); `batch` when its body was an array. */
  answer(messages: readonly JSONRPCMessage[], batch: boolean, session: SessionRecord): SessionEraAnswer {
    return sessionEraAnswer(messages, batch, session, this.tools);
  }

  /** The pre-serialized `tools/list` of a `cached-list` answer; with tracing on, as one traced MCP request. */
  listJson(req: McpHttpRequest, session: SessionRecord, message: JSONRPCMessage): Promise<string | undefined> {
    const ctx = sessionToolContext(session);
    if (!this.tracer.enabled || !('method' in message) || !('id' in message)) return this.tools.listJson(ctx);
    return this.tracer.inRequestSpan(describeRequest(message, this.exchange(req, session)), async (outcome) => {
      try {
        return await this.tools.listJson(ctx);
      } catch (err) {
        if (err instanceof RpcError) outcome.fail(String(err.code), err.code);
        throw err;
      }
    });
  }

  /** What the spans of this HTTP request's JSON-RPC requests share (only built when tracing is on). */
  exchange(req: McpHttpRequest, session: SessionRecord): McpExchange {
    return { sessionId: session.id, protocolVersion: header(req, 'mcp-protocol-version') ?? session.protocolVersion, headers: req.headers };
  }

  /** GET: the session whose standalone SSE stream the request opens (406 unless it accepts SSE). */
  streamSession(req: McpHttpRequest, auth: AuthContext): Promise<SessionRecord> {
    if (!accepts(req, 'text/event-stream')) {
      throw new NotAcceptableError('Not Acceptable: GET /mcp opens an SSE stream; the client must accept text/event-stream.');
    }
    this.checkProtocolVersion(req);
    return this.requestedSession(req, auth);
  }

  /** DELETE: ends the caller's session (and its streams on every replica); the closed session's id. */
  async close(req: McpHttpRequest, auth: AuthContext): Promise<string> {
    const stored = await this.requestedSession(req, auth);
    const closed = await this.sessions.close(stored.id, auth);
    await this.hub.closeSession(closed.id);
    return closed.id;
  }

  /**
   * The first half of opening a session, before a transport commits resources to it: `mode` and
   * `apps` of the request, the caller verified, and the catalog fetch started (so `tools/list` finds it warm).
   */
  async prepareOpen(req: McpHttpRequest, auth: AuthContext): Promise<SessionOptions> {
    const options = requestSessionOptions(req);
    await this.auth.ensureVerified(auth);
    void this.integrations.prefetch({ identityKey: auth.identity.key, token: auth.token });
    return options;
  }

  /** Opens the session (the request's policy and chat id with it); sessions it evicted end on every replica. */
  async open(req: McpHttpRequest, auth: AuthContext, options: SessionOptions, opening: SessionOpening): Promise<SessionRecord> {
    const chatId = req.headers['x-chat-id'];
    const opened = await this.sessions.open({
      ...opening,
      auth,
      ...options,
      chatId: typeof chatId === 'string' ? chatId : undefined,
      policy: requestPolicy(req.headers, req.query as Record<string, unknown>),
    });
    for (const evicted of opened.evicted) void this.hub.closeSession(evicted);
    return opened.record;
  }

  /**
   * A legacy SSE POST (`/sse/messages?sessionId=`): its caller (optional: clients configured with
   * `/sse?token=…` post without the token, the session id authorizes the post), the session it names
   * and its messages (415, 400).
   */
  async legacyPost(req: Request): Promise<{ auth?: AuthContext; id: string; messages: JSONRPCMessage[] }> {
    const auth = await this.auth.authenticateOptional(req);
    const contentType = req.headers['content-type'] ?? '';
    if (!/^application\/(.+\+)?json\b/i.test(contentType)) {
      throw new UnsupportedMediaTypeError('Unsupported Media Type: Content-Type must be application/json.');
    }
    const id = typeof req.query.sessionId === 'string' ? req.query.sessionId : undefined;
    if (!id) throw new BadRequestError('Missing sessionId query parameter: POST to the endpoint announced by GET /sse.', JsonRpcErrorCode.InvalidRequest);
    return { auth, id, messages: parseJsonRpcBody(req.body) };
  }

  /**
   * Admits a legacy SSE POST's messages to session `id`: a token, when sent, must be the owner's
   * (verified, and it becomes the session's newest); the calls are charged to the owner and the
   * session is marked used. `heldBy` is the owner of the stream when this replica holds it; else the
   * session is read from the shared store (the messages are relayed to the replica holding it).
   * Anything else is the same `SessionNotFoundError`.
   */
  async admitLegacy(id: string, messages: JSONRPCMessage[], auth: AuthContext | undefined, heldBy: string | undefined): Promise<void> {
    if (heldBy === undefined) {
      const stored = await this.sessions.peekAny(id);
      if (!stored || stored.transport !== 'sse' || (auth && stored.identityKey !== auth.identity.key)) throw new SessionNotFoundError();
      await this.limits.chargeCalls(stored.identityKey, messages.length);
      if (auth) await this.sessions.load(id, auth, (record) => this.auth.ensureVerified(auth, record.token));
      else await this.sessions.touch(stored);
      return;
    }
    if (auth && heldBy !== auth.identity.key) throw new SessionNotFoundError();
    await this.limits.chargeCalls(heldBy, messages.length);
    if (auth) {
      // load() reads the session once, checks the owner, verifies the caller and touches it.
      await this.sessions.load(id, auth, (record) => this.auth.ensureVerified(auth, record.token));
    } else {
      const stored = await this.sessions.peek(id, heldBy);
      if (!stored) throw new SessionNotFoundError();
      await this.sessions.touch(stored);
    }
  }

  private checkProtocolVersion(req: McpHttpRequest): void {
    const version = header(req, 'mcp-protocol-version');
    if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      throw new BadRequestError(
        `Unsupported MCP-Protocol-Version "${version.slice(0, 40)}" (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}).`,
        JsonRpcErrorCode.ServerError,
      );
    }
  }

  /** The session `Mcp-Session-Id` names (400 without it). */
  private requestedSession(req: McpHttpRequest, auth: AuthContext): Promise<SessionRecord> {
    const id = header(req, SESSION_HEADER);
    if (!id) throw new BadRequestError('Bad Request: Mcp-Session-Id header is required.', JsonRpcErrorCode.ServerError);
    return this.load(id, auth);
  }

  /** Loads the caller's session, verifying the caller's claims before they unlock it. */
  private load(id: string, auth: AuthContext): Promise<SessionRecord> {
    return this.sessions.load(id, auth, async (stored) => {
      if (stored.transport === 'sse') {
        throw new BadRequestError(
          'Bad Request: this session belongs to the legacy SSE transport; post its messages to /sse/messages.',
          JsonRpcErrorCode.ServerError,
        );
      }
      await this.auth.ensureVerified(auth, stored.token);
    });
  }
}
