import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Request, Response } from 'express';
import { classifyInboundRequest, createMcpHandler, type McpHttpHandler } from '@modelcontextprotocol/server';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { AuthService } from '../../auth/auth.service';
import type { AuthContext } from '../../auth/identity';
import { IntegrationsService } from '../../integrations/integrations.service';
import { noteRpcOutcome } from '../../common/logging/request-logging';
import { describeRequest, RequestOutcome, RequestTracer } from '../request-tracer';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../transports/json-rpc-body';
import { BadRequestError } from '../../common/domain.errors';
import { redactSecrets } from '../../common/redact';
import { JsonRpcErrorCode } from '../../common/json-rpc';
import { STATELESS_REQUEST, StatelessRequest, StatelessServerFactory } from './stateless-server.factory';
import { requestOrigin } from '../request-origin';
import { statelessToolContext } from '../request-context';
import { webRequestWithoutBody } from '../sdk/to-web-request.without-body';

/** The stateless protocol revision this arm serves. */
export const STATELESS_REVISION = '2026-07-28';

const NO_OUTCOME: RequestOutcome = Object.freeze({ fail: () => undefined });

/** A request the stateless arm will answer, already converted for the SDK. */
export interface StatelessExchange {
  readonly request: globalThis.Request;
  /** Aborts the exchange (and with it the running handler) when the client goes away. */
  readonly abort: AbortController;
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A header as a Web `Headers` object reads it: repeated values joined with ", ". */
function joinedHeader(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * The 2026-07-28 era of `/mcp`, served by the official SDK v2 (`createMcpHandler` with
 * `legacy: 'reject'`; the session era keeps its own transport, see docs/server.md "Protocol eras"). Every
 * request stands alone: identity from its token, mode/`apps`/policy from its URL and headers,
 * nothing read from or written to the session store.
 */
@Injectable()
export class StatelessHttpService implements OnApplicationShutdown {
  private readonly logger = new Logger(StatelessHttpService.name);
  private readonly handler: McpHttpHandler;

  constructor(
    private readonly auth: AuthService,
    private readonly integrations: IntegrationsService,
    private readonly tracer: RequestTracer,
    servers: StatelessServerFactory,
  ) {
    this.handler = createMcpHandler(servers.create, {
      legacy: 'reject',
      // The SDK's message may quote what the client sent: cut and scrubbed.
      onerror: (err) => this.logger.debug(`2026-07-28 exchange: ${redactSecrets(String(err.message).slice(0, 300))}`),
    });
  }

  /**
   * The exchange when this request belongs to the 2026-07-28 era, else undefined (session era).
   * A request with `Mcp-Session-Id` never does; a POST does when the SDK's own classification says
   * so (a `_meta` protocol-version claim, or a 2026 `MCP-Protocol-Version` header); a GET or DELETE
   * when it names the 2026 revision in `MCP-Protocol-Version` (the SDK answers it 405).
   */
  async classify(req: Request): Promise<StatelessExchange | undefined> {
    if (header(req, 'mcp-session-id') !== undefined) return undefined;
    if (req.method === 'POST') {
      // An unparsed body (wrong Content-Type) is the session era's 415 to give; an array is a batch,
      // which the 2026 revision does not have (the session era answers it without an upstream call).
      if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) return undefined;
      // Before the SDK walks the body (recursively: 20,000 levels overflowed its stack, a 500), the
      // same nesting limit as the session era, whichever era the message turns out to be.
      if (nestsDeeperThan(req.body, MAX_JSON_DEPTH)) {
        throw new BadRequestError(
          `Invalid Request: the message nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep.`,
          JsonRpcErrorCode.InvalidRequest,
        );
      }
      // The SDK's own classification (what `isLegacyRequest` runs), from the parsed body and the Node
      // headers: a session-era request is not converted to a Web Request only to be told it is legacy.
      const route = classifyInboundRequest({
        httpMethod: 'POST',
        protocolVersionHeader: joinedHeader(req, 'mcp-protocol-version'),
        mcpMethodHeader: joinedHeader(req, 'mcp-method'),
        mcpNameHeader: joinedHeader(req, 'mcp-name'),
        body: req.body,
      });
      return route.kind === 'legacy' ? undefined : this.exchange(req);
    }
    return header(req, 'mcp-protocol-version') === STATELESS_REVISION ? this.exchange(req) : undefined;
  }

  private exchange(req: Request): StatelessExchange {
    const abort = new AbortController();
    let request: globalThis.Request;
    try {
      // The SDK gets the parsed body (`parsedBody`) and never reads the Web Request's.
      request = webRequestWithoutBody(req, abort.signal);
    } catch {
      // The URL is built from the Host header (`Host: a b` cannot be parsed): the client's mistake, not ours.
      throw new BadRequestError('Bad Request: the Host header is not a valid host.', JsonRpcErrorCode.InvalidRequest);
    }
    return { request, abort };
  }

  /** Answers one 2026-07-28 request for a caller the guard authenticated (and rate-limited). */
  async serve(exchange: StatelessExchange, req: Request, res: Response, auth: AuthContext): Promise<void> {
    await this.auth.ensureVerified(auth);
    const ctx = statelessToolContext(auth, req);
    const message = req.method === 'POST' ? (req.body as Partial<JSONRPCRequest>) : undefined;
    // The first request of a conversation: start the catalog fetch so tools/list finds it warm.
    if (message?.method === 'server/discover') void this.integrations.prefetch({ identityKey: auth.identity.key, token: auth.token });
    const params = message?.params as { name?: unknown } | undefined;
    const call = message?.method === 'tools/call' && typeof params?.name === 'string' ? params.name : undefined;
    // The outcome reaches the request's span (when traced) and the access line (a refusal is not a plain 200).
    const run = (traced: RequestOutcome) => {
      const outcome: RequestOutcome = {
        fail: (errorType, rpcCode) => {
          traced.fail(errorType, rpcCode);
          if (rpcCode !== undefined) noteRpcOutcome(res, 'rpc_error', rpcCode);
          else if (errorType === 'tool_error') noteRpcOutcome(res, 'tool_error');
        },
      };
      return this.answer(exchange, req, res, { ctx, requestId: header(req, 'x-request-id'), origin: requestOrigin(req.headers), outcome, call });
    };
    if (!this.tracer.enabled || typeof message?.method !== 'string' || message.id === undefined) return run(NO_OUTCOME);
    return this.tracer.inRequestSpan(describeRequest(message as JSONRPCRequest, { protocolVersion: STATELESS_REVISION, headers: req.headers }), run);
  }

  private async answer(exchange: StatelessExchange, req: Request, res: Response, state: StatelessRequest): Promise<void> {
    const onClose = () => {
      if (!res.writableFinished) exchange.abort.abort();
    };
    res.once('close', onClose);
    try {
      const response = await this.handler.fetch(exchange.request, {
        authInfo: { token: state.ctx.token, clientId: state.ctx.identity.key, scopes: [], extra: { [STATELESS_REQUEST]: state } },
        parsedBody: req.method === 'POST' ? req.body : undefined,
      });
      if (response.status >= 400) state.outcome.fail(String(response.status));
      if (res.destroyed) return;
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      res.writeHead(response.status, headers);
      if (!response.body) {
        res.end();
        return;
      }
      if (!/^text\/event-stream/i.test(response.headers.get('content-type') ?? '')) {
        res.end(Buffer.from(await response.arrayBuffer()));
        return;
      }
      await this.stream(response.body, res);
    } finally {
      res.off('close', onClose);
    }
  }

  /** An SSE answer, written as it comes with back-pressure; it stops when the client goes away. */
  private async stream(body: ReadableStream<Uint8Array>, res: Response): Promise<void> {
    const reader = body.getReader();
    const gone = () => void reader.cancel().catch(() => undefined);
    res.once('close', gone);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || res.destroyed) break;
        if (!res.write(value)) await new Promise<void>((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
      }
      res.end();
    } catch {
      res.destroy();
    } finally {
      res.off('close', gone);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.handler.close();
  }
}
