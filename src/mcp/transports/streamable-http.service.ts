import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { JSONRPCMessage, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { AuthService } from '../../auth/auth.service';
import type { AuthContext } from '../../auth/identity';
import { BadRequestError, DomainError } from '../../common/domain.errors';
import { JsonRpcErrorCode, RpcError } from '../../common/json-rpc';
import { TenantLimits } from '../../limits/tenant-limits';
import { SessionsService } from '../../sessions/sessions.service';
import type { SessionRecord } from '../../sessions/session.types';
import { callsTool, callsWithProgress, cancellations, containsInitialize, isSingleInitialize, parseJsonRpcBody, requestIds } from './json-rpc-body';
import { InFlightRequests } from '../notifications/in-flight.requests';
import { JsonExchangeTransport, ProtocolDispatch } from '../sdk/protocol-dispatch.json-exchange.transport';
import { writeCachedToolList, writeJson } from '../sdk/tools-list-handler.cached-tool-list';
import { keepAliveWhileSessionLives } from './stream-keepalive';
import { McpServerFactory } from '../mcp-server.factory';
import { NotificationHub, SessionStream } from '../notifications/notification.hub';
import { requestSessionOptions } from './session-options';
import { IntegrationsService } from '../../integrations/integrations.service';
import { ENABLE_TOOLS } from '../../tools/mode-tool-names';
import { CONNECT_APP } from '../../connect/connect-tools';
import { ToolRegistry } from '../../tools/tool-registry';
import { sessionToolContext } from '../request-context';
import { describeRequest, McpExchange, RequestTracer } from '../request-tracer';
import { requestPolicy } from '../../tools/policy';
import { noteRpcAnswers } from '../../common/logging/request-logging';
import { redactSecrets } from '../../common/redact';

export const SESSION_HEADER = 'mcp-session-id';

class NotAcceptableError extends DomainError {
  readonly httpStatus = 406;
  readonly rpcCode = JsonRpcErrorCode.ServerError;
}
class UnsupportedMediaTypeError extends DomainError {
  readonly httpStatus = 415;
  readonly rpcCode = JsonRpcErrorCode.ServerError;
}
class ConflictError extends DomainError {
  readonly httpStatus = 409;
  readonly rpcCode = JsonRpcErrorCode.ServerError;
}

const isPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function accepts(req: Request, ...types: string[]): boolean {
  const accept = header(req, 'accept') ?? '';
  return types.every((t) => accept.includes(t) || accept.includes('*/*'));
}

/**
 * Streamable HTTP on top of our own session layer: the SDK's stateless transport handles each
 * request with a fresh `Server` built from the stored session, so any replica can serve any request.
 */
@Injectable()
export class StreamableHttpService {
  private readonly logger = new Logger(StreamableHttpService.name);

  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly servers: McpServerFactory,
    private readonly tools: ToolRegistry,
    private readonly integrations: IntegrationsService,
    private readonly hub: NotificationHub,
    private readonly inFlight: InFlightRequests,
    private readonly limits: TenantLimits,
    private readonly tracer: RequestTracer,
  ) {}

  /** What the spans of this HTTP request's JSON-RPC requests share (only built when tracing is on). */
  private exchange(req: Request, session: SessionRecord): McpExchange {
    return { sessionId: session.id, protocolVersion: header(req, 'mcp-protocol-version') ?? session.protocolVersion, headers: req.headers };
  }

  /** The static `tools/list`, pre-serialized; with tracing on, as one traced MCP request. */
  private listJson(req: Request, session: SessionRecord, message: JSONRPCMessage): Promise<string | undefined> {
    const ctx = sessionToolContext(session);
    // listJson answers only in static mode (undefined otherwise: the SDK Server answers, traced there).
    if (!this.tracer.enabled || session.mode !== 'static' || !('method' in message) || !('id' in message)) return this.tools.listJson(ctx);
    return this.tracer.inRequestSpan(describeRequest(message, this.exchange(req, session)), async (outcome) => {
      try {
        return await this.tools.listJson(ctx);
      } catch (err) {
        if (err instanceof RpcError) outcome.fail(String(err.code), err.code);
        throw err;
      }
    });
  }

  private checkProtocolVersion(req: Request): string | undefined {
    const version = header(req, 'mcp-protocol-version');
    if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      throw new BadRequestError(
        `Unsupported MCP-Protocol-Version "${version.slice(0, 40)}" (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}).`,
        JsonRpcErrorCode.ServerError,
      );
    }
    return version;
  }

  /** Loads the caller's session, verifying the caller's claims before they unlock it. */
  private async session(req: Request, auth: AuthContext): Promise<SessionRecord> {
    const id = header(req, SESSION_HEADER);
    if (!id) throw new BadRequestError('Bad Request: Mcp-Session-Id header is required.', JsonRpcErrorCode.ServerError);
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

  async post(req: Request, res: Response, auth: AuthContext): Promise<void> {
    if (!accepts(req, 'application/json', 'text/event-stream')) {
      throw new NotAcceptableError('Not Acceptable: the client must accept both application/json and text/event-stream.');
    }
    const contentType = header(req, 'content-type') ?? '';
    if (!/^application\/(.+\+)?json\b/i.test(contentType)) {
      throw new UnsupportedMediaTypeError('Unsupported Media Type: Content-Type must be application/json.');
    }
    const messages = parseJsonRpcBody(req.body);
    const sessionId = header(req, SESSION_HEADER);
    let session: SessionRecord;
    if (!sessionId) {
      if (!isSingleInitialize(messages)) {
        throw new BadRequestError(
          containsInitialize(messages)
            ? 'Invalid Request: initialize must be sent alone, not in a batch.'
            : 'Bad Request: Mcp-Session-Id header is required; open a session with an initialize request first.',
          JsonRpcErrorCode.ServerError,
        );
      }
      const options = requestSessionOptions(req);
      await this.auth.ensureVerified(auth);
      // The catalog fetch starts as soon as the caller is verified, so tools/list finds it warm.
      void this.integrations.prefetch({ identityKey: auth.identity.key, token: auth.token });
      const init = messages[0] as { params?: { protocolVersion?: string; capabilities?: { elicitation?: { url?: unknown } } } };
      const opened = await this.sessions.open({
        auth,
        ...options,
        chatId: header(req, 'x-chat-id'),
        transport: 'streamable-http',
        protocolVersion: init.params?.protocolVersion,
        clientElicitsUrl: isPlainObject(init.params?.capabilities?.elicitation?.url),
        policy: requestPolicy(req.headers, req.query as Record<string, unknown>),
      });
      session = opened.record;
      for (const evicted of opened.evicted) void this.hub.closeSession(evicted);
      res.setHeader('Mcp-Session-Id', session.id);
    } else {
      if (containsInitialize(messages)) {
        throw new BadRequestError(
          'Invalid Request: this session is already initialized; omit Mcp-Session-Id to open a new one.',
          JsonRpcErrorCode.InvalidRequest,
        );
      }
      this.checkProtocolVersion(req);
      session = await this.session(req, auth);
      res.setHeader('Mcp-Session-Id', session.id);
      // The request a cancellation names runs in another HTTP request (maybe on another replica).
      for (const { requestId, reason } of cancellations(messages)) await this.inFlight.cancel(session.id, requestId, reason);
    }
    if (callsTool(messages, ENABLE_TOOLS) || callsWithProgress(messages) || (session.clientElicitsUrl && callsTool(messages, CONNECT_APP))) {
      // enable-tools announces list_changed, a call with a progressToken sends progress, and
      // connect-app sends its URL elicitation, on the request's own stream: let the SDK transport answer with SSE.
      await this.handleWithSdkTransport(req, res, session, messages);
    } else {
      await this.handleAsJson(req, res, session, messages);
    }
  }

  /** The hot path: the SDK `Server` answers through an in-process transport; we write plain JSON. */
  private async handleAsJson(req: Request, res: Response, session: SessionRecord, messages: JSONRPCMessage[]): Promise<void> {
    if (!Array.isArray(req.body) && messages.length === 1 && (await writeCachedToolList(res, messages[0], () => this.listJson(req, session, messages[0]))))
      return;
    const server = this.servers.create(session, session.mode);
    const transport = new JsonExchangeTransport(server as unknown as ProtocolDispatch);
    await server.connect(transport);
    if (this.tracer.enabled) this.tracer.traceServer(server, this.exchange(req, session));
    // A client that goes away aborts its in-flight handlers (and so their upstream action runs).
    const onClose = () => void transport.close().catch(() => undefined);
    res.once('close', onClose);
    const registrations = requestIds(messages).map((id) => this.inFlight.add(session.id, id, (reason) => void transport.cancel(id, reason)));
    try {
      const responses = await transport.exchange(messages, {
        requestInfo: { headers: req.headers as Record<string, string | string[] | undefined> },
      });
      if (res.writableEnded || res.destroyed) return;
      if (responses.length === 0) {
        res.status(202).end();
        return;
      }
      noteRpcAnswers(res, responses);
      writeJson(res, 200, JSON.stringify(Array.isArray(req.body) ? responses : responses[0]));
    } finally {
      // No server.close() here: with every request answered nothing is pending, and closing builds
      // (and discards) a "connection closed" error per request. The pair is garbage once we return.
      res.off('close', onClose);
      for (const unregister of registrations) unregister();
    }
  }

  private async handleWithSdkTransport(req: Request, res: Response, session: SessionRecord, messages: JSONRPCMessage[]): Promise<void> {
    const server = this.servers.create(session, session.mode);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    transport.onerror = (err) => this.logger.debug(`Transport: ${redactSecrets(String(err.message).slice(0, 300))}`);
    // A notifications/cancelled in another HTTP request (maybe on another replica) reaches the SDK Server as if it came here.
    const registrations = requestIds(messages).map((id) =>
      this.inFlight.add(session.id, id, (reason) =>
        transport.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, ...(reason !== undefined ? { reason } : {}) } }),
      ),
    );
    res.once('close', () => {
      for (const unregister of registrations) unregister();
      void transport.close().catch(() => undefined);
      void server.close().catch(() => undefined);
    });
    await server.connect(transport);
    if (this.tracer.enabled) this.tracer.traceServer(server, this.exchange(req, session));
    await transport.handleRequest(req, res, req.body);
  }

  /**
   * GET /mcp: the session's standalone SSE stream for server→client notifications. Each
   * notification carries its event id; a client reconnecting with `Last-Event-ID` first gets what
   * the session was sent after that id (from any replica), then the live ones.
   */
  async get(req: Request, res: Response, auth: AuthContext): Promise<void> {
    if (!accepts(req, 'text/event-stream')) {
      throw new NotAcceptableError('Not Acceptable: GET /mcp opens an SSE stream; the client must accept text/event-stream.');
    }
    this.checkProtocolVersion(req);
    const session = await this.session(req, auth);
    const write = (text: string) => {
      if (!res.writableEnded && !res.destroyed) res.write(text);
    };
    const event = (message: unknown, eventId?: string) => write(`${eventId ? `id: ${eventId}\n` : ''}event: message\ndata: ${JSON.stringify(message)}\n\n`);
    const lastEventId = header(req, 'last-event-id')?.trim().slice(0, 64);
    // While missed events are replayed, live ones wait (and are not sent twice).
    let held: Array<{ message: unknown; eventId?: string }> | undefined = lastEventId ? [] : undefined;
    const stream: SessionStream = {
      send: (message, eventId) => (held ? held.push({ message, eventId }) : event(message, eventId)),
      close: () => res.end(),
    };
    const release = this.limits.acquireStream(session.identityKey);
    if (!this.hub.attach(session.id, stream)) {
      release();
      throw new ConflictError('Conflict: this session already has the maximum number of open streams.');
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'Mcp-Session-Id': session.id,
    });
    res.flushHeaders();
    write(': stream open\n\n');
    const stopKeepAlive = keepAliveWhileSessionLives(
      this.sessions,
      session,
      () => write(': keep-alive\n\n'),
      () => res.end(),
    );
    res.once('close', () => {
      stopKeepAlive();
      release();
      this.hub.detach(session.id, stream);
    });
    if (lastEventId) {
      const replayed = new Set<string>();
      try {
        for (const missed of await this.hub.since(session.id, lastEventId)) {
          replayed.add(missed.id);
          event(missed.message, missed.id);
        }
      } catch (err) {
        this.logger.warn(`Could not replay events of session ${session.id} after ${lastEventId}: ${(err as Error).message}`);
      }
      const live = held ?? [];
      held = undefined;
      for (const e of live) if (!e.eventId || !replayed.has(e.eventId)) event(e.message, e.eventId);
    }
  }

  /** DELETE /mcp: ends the session and removes its chat mapping. */
  async delete(req: Request, res: Response, auth: AuthContext): Promise<void> {
    const stored = await this.session(req, auth);
    const closed = await this.sessions.close(stored.id, auth);
    await this.hub.closeSession(closed.id);
    res.status(200).json({ jsonrpc: '2.0', result: { closed: closed.id } });
  }
}
