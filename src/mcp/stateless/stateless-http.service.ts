import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createMcpHandler, type McpHttpHandler } from '@modelcontextprotocol/server';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { AuthService } from '../../auth/auth.service';
import type { AuthContext } from '../../auth/identity';
import { IntegrationsService } from '../../integrations/integrations.service';
import { noteRpcOutcome } from '../../common/logging/request-logging';
import { describeRequest, RequestOutcome, RequestTracer } from '../request-tracer';
import { BadRequestError } from '../../common/domain.errors';
import { redactSecrets } from '../../common/redact';
import { JsonRpcErrorCode } from '../../common/json-rpc';
import { handOff, StatelessRequest, StatelessServerFactory } from './stateless-server.factory';
import { requestOrigin } from '../request-origin';
import { statelessToolContext } from '../request-context';
import { ToolRegistry } from '../../tools/tool-registry';
import { webRequestView } from '../sdk/to-web-request.request-view';
import { STATELESS_REVISION } from '../protocol-era';
import { writeWebResponse } from '../transports/web-response';

const NO_OUTCOME: RequestOutcome = Object.freeze({ fail: () => undefined });

/** A request the stateless arm answers, converted for the SDK. */
interface StatelessExchange {
  readonly request: globalThis.Request;
  /** Aborts the exchange (and with it the running handler) when the client goes away. */
  readonly abort: AbortController;
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
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
    private readonly tools: ToolRegistry,
  ) {
    this.handler = createMcpHandler(servers.create, {
      legacy: 'reject',
      // The SDK's message may quote what the client sent: cut and scrubbed.
      onerror: (err) => this.logger.debug(`2026-07-28 exchange: ${redactSecrets(String(err.message).slice(0, 300))}`),
    });
  }

  private exchange(req: Request): StatelessExchange {
    const abort = new AbortController();
    let request: globalThis.Request;
    try {
      // The SDK gets the parsed body (`parsedBody`) and never reads the Web Request's.
      request = webRequestView(req, abort.signal);
    } catch {
      // The URL is built from the Host header (`Host: a b` cannot be parsed): the client's mistake, not ours.
      throw new BadRequestError('Bad Request: the Host header is not a valid host.', JsonRpcErrorCode.InvalidRequest);
    }
    return { request, abort };
  }

  /**
   * Answers one 2026-07-28 request (`protocolEra` said so) for a caller the guard authenticated
   * (and rate-limited).
   */
  async serve(req: Request, res: Response, auth: AuthContext): Promise<void> {
    const exchange = this.exchange(req);
    await this.auth.ensureVerified(auth);
    const ctx = statelessToolContext(auth, req, this.tools);
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

  /** Runs the exchange through the SDK; the transport writes its Web `Response` to Node's. */
  private async answer(exchange: StatelessExchange, req: Request, res: Response, state: StatelessRequest): Promise<void> {
    const { authInfo, release } = handOff(state);
    const answering = this.handler.fetch(exchange.request, { authInfo, parsedBody: req.method === 'POST' ? req.body : undefined });
    try {
      await writeWebResponse(res, answering, exchange.abort, state.outcome);
    } finally {
      release();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.handler.close();
  }
}
