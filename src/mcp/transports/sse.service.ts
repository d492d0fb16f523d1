import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { AuthContext } from '../../auth/identity';
import { DomainError, SessionNotFoundError } from '../../common/domain.errors';
import { JsonRpcErrorCode } from '../../common/json-rpc';
import { TenantLimits } from '../../limits/tenant-limits';
import { SessionsService } from '../../sessions/sessions.service';
import type { SessionRecord } from '../../sessions/session.types';
import { BusMessage, NotificationBus } from '../notifications/notification.bus';
import { McpServerFactory } from '../mcp-server.factory';
import { SessionEraProtocol } from '../session-era/session-era.protocol';
import { keepAliveWhileSessionLives } from './stream-keepalive';
import { sessionLogRef } from '../../common/logging/session-log-ref';
import { RequestTracer } from '../request-tracer';

export const SSE_MESSAGES_PATH = '/sse/messages';

class StreamAlreadyOpenError extends DomainError {
  readonly httpStatus = 409;
  readonly rpcCode = JsonRpcErrorCode.ServerError;
  constructor() {
    super('This session already has an open SSE stream. Open a new session with GET /sse (without sessionId), then POST to the endpoint it announces.');
  }
}

interface LiveSseSession {
  transport: SSEServerTransport;
  server: Server;
  identityKey: string;
}

/**
 * The legacy HTTP+SSE transport (`GET /sse` + `POST /sse/messages?sessionId=`). The stream lives
 * on the replica that opened it; state lives in the session store like any other session.
 */
@Injectable()
export class SseService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(SseService.name);
  private readonly live = new Map<string, LiveSseSession>();

  constructor(
    private readonly sessions: SessionsService,
    private readonly servers: McpServerFactory,
    private readonly protocol: SessionEraProtocol,
    private readonly limits: TenantLimits,
    private readonly bus: NotificationBus,
    private readonly tracer: RequestTracer,
  ) {}

  /** Messages posted to another replica for a stream this replica holds. */
  onModuleInit(): void {
    this.bus.subscribe((m: BusMessage) => {
      // A session ended elsewhere (evicted, say): its stream here ends too.
      if (m.kind === 'closed')
        return void this.live
          .get(m.sessionId)
          ?.transport.close()
          .catch(() => undefined);
      if (m.kind !== 'sse-inbound') return;
      const live = this.live.get(m.sessionId);
      if (!live) return;
      void (async () => {
        for (const message of m.messages) await live.transport.handleMessage(message);
      })().catch((err: Error) => this.logger.warn(`Relayed SSE message failed: ${err.message}`));
    });
  }

  get openStreams(): number {
    return this.live.size;
  }

  async open(req: Request, res: Response, auth: AuthContext): Promise<void> {
    const requested = typeof req.query.sessionId === 'string' ? req.query.sessionId : undefined;
    if (requested !== undefined) {
      // Legacy SSE streams cannot be resumed: answer at once instead of hanging.
      const existing = await this.sessions.peek(requested, auth.identity.key);
      if (existing && this.live.has(requested)) throw new StreamAlreadyOpenError();
      throw new SessionNotFoundError();
    }
    const options = await this.protocol.prepareOpen(req, auth);
    const identityKey = auth.identity.key;
    const release = this.limits.acquireStream(identityKey);

    const transport = new SSEServerTransport(SSE_MESSAGES_PATH, res);
    let session: SessionRecord;
    try {
      session = await this.protocol.open(req, auth, options, { id: transport.sessionId, transport: 'sse' });
    } catch (err) {
      release();
      throw err;
    }
    const server = this.servers.create(() => this.current(session.id, identityKey), session.mode);
    this.live.set(session.id, { transport, server, identityKey });

    const stopKeepAlive = keepAliveWhileSessionLives(
      this.sessions,
      { id: session.id, identityKey },
      () => void (res.writableEnded || res.write(': keep-alive\n\n')),
      () => void transport.close().catch(() => undefined),
    );
    res.once('close', () => {
      stopKeepAlive();
      release();
      this.live.delete(session.id);
      void server.close().catch(() => undefined);
      // A legacy SSE session ends with its stream.
      void this.sessions.close(session.id, auth).catch(() => undefined);
    });
    await server.connect(transport);
    // Each POST's headers reach the spans through the messages' requestInfo; the id here is a credential, so only its reference.
    if (this.tracer.enabled) this.tracer.traceServer(server, { sessionId: sessionLogRef(session), protocolVersion: session.protocolVersion });
  }

  private async current(id: string, identityKey: string): Promise<SessionRecord> {
    const record = await this.sessions.peek(id, identityKey);
    if (!record) throw new SessionNotFoundError();
    return record;
  }

  async message(req: Request, res: Response): Promise<void> {
    const { auth, id, messages } = await this.protocol.legacyPost(req);
    const live = this.live.get(id);
    await this.protocol.admitLegacy(id, messages, auth, live?.identityKey);
    if (!live) {
      // The stream of this session is held by another replica: relay the messages over the bus to it.
      await this.bus.publish({ kind: 'sse-inbound', sessionId: id, messages });
      res.status(202).end();
      return;
    }
    // Delivered one by one: the SDK's SSE transport would answer a batch with a plain-text 400.
    const requestInfo = { headers: req.headers as Record<string, string | string[] | undefined> };
    for (const message of messages) await live.transport.handleMessage(message, { requestInfo });
    res.status(202).end();
  }

  /** Streams end before the HTTP server closes (it would otherwise wait for them forever). */
  beforeApplicationShutdown(): void {
    for (const [, s] of this.live) void s.transport.close().catch(() => undefined);
    this.live.clear();
  }
}
