import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { AuthContext } from '../../auth/identity';
import { DomainError } from '../../common/domain.errors';
import { JsonRpcErrorCode } from '../../common/json-rpc';
import { TenantLimits } from '../../limits/tenant-limits';
import { SessionsService } from '../../sessions/sessions.service';
import type { SessionRecord } from '../../sessions/session.types';
import { requestIds } from '../json-rpc-body';
import { InFlightRequests } from '../notifications/in-flight.requests';
import { JsonExchangeTransport, ProtocolDispatch } from '../sdk/protocol-dispatch.json-exchange.transport';
import { writeCachedToolList, writeJson } from '../sdk/tools-list-handler.cached-tool-list';
import { keepAliveWhileSessionLives } from './stream-keepalive';
import { McpServerFactory } from '../mcp-server.factory';
import { NotificationHub, SessionStream } from '../notifications/notification.hub';
import { SessionEraProtocol } from '../session-era/session-era.protocol';
import { RequestTracer } from '../request-tracer';
import { noteRpcAnswers } from '../../common/logging/request-logging';
import { redactSecrets } from '../../common/redact';

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

class ConflictError extends DomainError {
  readonly httpStatus = 409;
  readonly rpcCode = JsonRpcErrorCode.ServerError;
}

/**
 * Streamable HTTP on top of our own session layer: the SDK's stateless transport handles each
 * request with a fresh `Server` built from the stored session, so any replica can serve any request.
 * I/O only: what to answer and how is the session era's protocol layer's decision (`SessionEraProtocol`).
 */
@Injectable()
export class StreamableHttpService {
  private readonly logger = new Logger(StreamableHttpService.name);

  constructor(
    private readonly protocol: SessionEraProtocol,
    private readonly sessions: SessionsService,
    private readonly servers: McpServerFactory,
    private readonly hub: NotificationHub,
    private readonly inFlight: InFlightRequests,
    private readonly limits: TenantLimits,
    private readonly tracer: RequestTracer,
  ) {}

  async post(req: Request, res: Response, auth: AuthContext): Promise<void> {
    const messages = this.protocol.postedMessages(req);
    const session = await this.protocol.session(req, auth, messages);
    res.setHeader('Mcp-Session-Id', session.id);
    const cancelling = this.protocol.forwardCancellations(session, messages);
    if (cancelling) await cancelling;
    const batch = Array.isArray(req.body);
    const answer = this.protocol.answer(messages, batch, session);
    if (answer === 'stream') {
      // A call in it sends on the request's own stream while it runs: the SDK transport answers with SSE.
      await this.handleWithSdkTransport(req, res, session, messages);
    } else if (answer === 'json' || !(await writeCachedToolList(res, messages[0], () => this.protocol.listJson(req, session, messages[0])))) {
      await this.handleAsJson(req, res, session, messages, batch);
    }
  }

  /** The hot path: the SDK `Server` answers through an in-process transport; we write plain JSON. */
  private async handleAsJson(req: Request, res: Response, session: SessionRecord, messages: JSONRPCMessage[], batch: boolean): Promise<void> {
    const server = this.servers.create(session, session.mode);
    const transport = new JsonExchangeTransport(server as unknown as ProtocolDispatch);
    await server.connect(transport);
    if (this.tracer.enabled) this.tracer.traceServer(server, this.protocol.exchange(req, session));
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
      writeJson(res, 200, JSON.stringify(batch ? responses : responses[0]));
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
    if (this.tracer.enabled) this.tracer.traceServer(server, this.protocol.exchange(req, session));
    await transport.handleRequest(req, res, req.body);
  }

  /**
   * GET /mcp: the session's standalone SSE stream for server→client notifications. Each
   * notification carries its event id; a client reconnecting with `Last-Event-ID` first gets what
   * the session was sent after that id (from any replica), then the live ones.
   */
  async get(req: Request, res: Response, auth: AuthContext): Promise<void> {
    const session = await this.protocol.streamSession(req, auth);
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
    const closed = await this.protocol.close(req, auth);
    res.status(200).json({ jsonrpc: '2.0', result: { closed } });
  }
}
