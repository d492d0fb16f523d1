import { Inject, Injectable } from '@nestjs/common';
import { McpServer, Server, type AuthInfo, type McpRequestContext, type ServerOptions } from '@modelcontextprotocol/server';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { integrationAppConfig, IntegrationAppConfig } from '../../config/app.config';
import { RpcError } from '../../common/json-rpc';
import type { ToolContext } from '../../tools/tool-source';
import { ToolRegistry } from '../../tools/tool-registry';
import { instructionsFor, SERVER_INFO } from '../mcp-server.factory';
import type { RequestOutcome } from '../request-tracer';
import { StatelessUrlElicitation } from './url-elicitation';
import { jsonOnly } from '../sdk/mcp-server-argument-validation.json-only-schema';
import { DirectDispatchServer } from '../sdk/protocol-onmessage.direct-dispatch';

/** What the transport hands a per-request `Server` through the SDK's `authInfo.extra` pass-through. */
export interface StatelessRequest {
  readonly ctx: ToolContext;
  /** The request's `x-request-id`, for the audit line. */
  readonly requestId?: string;
  /** Where the request came to (links on this server when PUBLIC_URL is unset). */
  readonly origin?: string;
  /** How the request's span learns of a failure that is an answer, not a thrown error. */
  readonly outcome: RequestOutcome;
  /** The tool a `tools/call` names (from the body; the SDK checks it against `Mcp-Name`). */
  readonly call?: string;
}

/** The key of the request's hand-off in `authInfo.extra` (see handOff). */
const STATELESS_REQUEST = 'integrationAppMcp';

/**
 * How a request reaches its per-request server: in `authInfo.extra`, which the SDK passes to the
 * factory and keeps in the exchange's own closures. The request rides in a hand-off that its
 * transport empties once the answer is written (`release`), so those closures — which V8 can keep
 * reachable for the minor collector after the exchange (see releaseWhenClosed) — reach an empty box,
 * not the request with its Express objects.
 */
export function handOff(state: StatelessRequest): { authInfo: AuthInfo; release: () => void } {
  const box: { state?: StatelessRequest } = { state };
  return {
    authInfo: { token: state.ctx.token, clientId: state.ctx.identity.key, scopes: [], extra: { [STATELESS_REQUEST]: box } },
    release: () => {
      box.state = undefined;
    },
  };
}

function handedOff(request: McpRequestContext): StatelessRequest | undefined {
  return (request.authInfo?.extra?.[STATELESS_REQUEST] as { state?: StatelessRequest } | undefined)?.state;
}

/** The request one exchange's handlers serve; `state` is gone once the exchange has closed. */
interface ExchangeScope {
  state?: StatelessRequest;
}

function exchangeState(exchange: ExchangeScope): StatelessRequest {
  if (!exchange.state) throw new Error('2026-07-28 request handled after its exchange closed');
  return exchange.state;
}

/**
 * When its exchange closes, the per-request server lets go of the request: the scope is emptied and
 * the two handlers removed. The SDK keeps nothing of a closed server, but V8 does not always free it
 * at the next minor collection — closures the SDK stored while connecting it can keep it reachable
 * for the scavenger until a full collection (docs/performance.md, round 6) — and whatever it still
 * referenced (the request, its Express objects, the upstream answer) was promoted with it: 2026-era
 * calls did 2.5–3× the session era's collection work.
 * A module-level function, so that the closure holds only `server` and `exchange`.
 */
function releaseWhenClosed(server: Server, exchange: ExchangeScope): void {
  server.onclose = () => {
    exchange.state = undefined;
    server.removeRequestHandler('tools/list');
    server.removeRequestHandler('tools/call');
  };
}

/** Whether a tool asks for one of its arguments to be mirrored in an `Mcp-Param-*` header (SEP-2243). */
function declaresParamHeaders(tool: Tool): boolean {
  const properties = tool.inputSchema.properties as Record<string, unknown> | undefined;
  return properties !== undefined && Object.values(properties).some((p) => typeof p === 'object' && p !== null && 'x-mcp-header' in p);
}

/**
 * Builds the SDK v2 server (`@modelcontextprotocol/server`) that answers one 2026-07-28
 * request from the caller's request context: the same registry, modes, `apps` and policy as the
 * session era, with no session. The SDK does the revision's protocol (`server/discover`, `_meta`
 * envelope, header checks incl. `Mcp-Param-*`, `resultType`, `ttlMs`/`cacheScope`); this class
 * supplies the tools.
 */
@Injectable()
export class StatelessServerFactory {
  private readonly paramHeaders = new WeakMap<Tool, boolean>();

  private readonly options = new Map<ToolContext['mode'], ServerOptions>();

  private readonly urlElicitation: StatelessUrlElicitation;

  constructor(
    private readonly tools: ToolRegistry,
    @Inject(integrationAppConfig.KEY) private readonly config: IntegrationAppConfig,
  ) {
    this.urlElicitation = new StatelessUrlElicitation(config.workspaceSecret);
  }

  /** The `McpServerFactory` given to the SDK's `createMcpHandler`. */
  readonly create = async (request: McpRequestContext): Promise<McpServer | Server> => {
    const state = handedOff(request);
    if (!state) throw new Error('2026-07-28 request served without its request context');
    const { ctx } = state;
    const options = this.optionsFor(ctx.mode);
    // A called tool that mirrors arguments in Mcp-Param-* headers (the run tools) is registered on an
    // McpServer, so the SDK checks those headers against the body before dispatch (400 / -32020 on a
    // mismatch); every other request gets the lighter low-level Server (~0.1 ms less per request).
    // A lookup failure is left to tools/call to report.
    const called = state.call === undefined ? undefined : await this.tools.definition(ctx, state.call).catch(() => undefined);
    let product: McpServer | Server;
    let server: Server;
    if (called && this.declares(called)) {
      const mcp = new McpServer(SERVER_INFO, options);
      mcp.registerTool(called.name, { inputSchema: jsonOnly(called.inputSchema) }, () => ({ content: [] }));
      product = mcp;
      server = mcp.server;
    } else {
      // The SDK Server, dispatching requests without onmessage's type guards (see src/mcp/sdk/).
      product = server = new DirectDispatchServer(SERVER_INFO, options);
    }
    // The registry answers both methods (replacing the handlers registerTool installed); the handlers
    // reach the request only through `exchange`, which the server empties when the exchange closes.
    const exchange: ExchangeScope = { state };
    this.answerTools(server, exchange);
    releaseWhenClosed(server, exchange);
    return product;
  };

  /**
   * Registers tools/list and tools/call for one exchange. Built outside `create` on purpose: a closure
   * keeps its whole enclosing scope, and these must reach the request only through `exchange`.
   */
  private answerTools(server: Server, exchange: ExchangeScope): void {
    // The registry speaks the v1 SDK's types; the wire shapes are the same revision-neutral JSON.
    server.setRequestHandler('tools/list', async () => {
      const state = exchangeState(exchange);
      return { tools: (await this.failing(state, () => this.tools.list(state.ctx))) as never };
    });
    server.setRequestHandler('tools/call', async (req, extra) => {
      const state = exchangeState(exchange);
      const { ctx } = state;
      const progressToken = extra.mcpReq._meta?.progressToken;
      // Long-running actions: progress on the request's own stream (the SDK upgrades the answer to SSE).
      const progress =
        progressToken === undefined
          ? undefined
          : (value: number, message?: string) =>
              extra.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: value, ...(message ? { message } : {}) } });
      const result = await this.failing(state, () =>
        this.urlElicitation.call(extra, (elicitUrl) =>
          this.tools.call(
            {
              ...ctx,
              signal: extra.mcpReq.signal,
              requestId: state.requestId,
              origin: state.origin,
              ...(progress ? { progress } : {}),
              ...(elicitUrl ? { elicitUrl } : {}),
            },
            req.params.name,
            req.params.arguments,
          ),
        ),
      );
      if ('isError' in result && result.isError) state.outcome.fail('tool_error');
      return result as never;
    });
  }

  /**
   * The server options of a mode, built once: the SDK `Server` copies what it keeps of them
   * (capabilities are spread into its own object) and only reads the rest.
   */
  private optionsFor(mode: ToolContext['mode']): ServerOptions {
    let options = this.options.get(mode);
    if (!options) {
      options = {
        // listChanged false: nothing changes a list during a stateless conversation (dynamic mode
        // serves the search tools), and a catalog change is picked up when the list's ttlMs runs out.
        capabilities: { tools: { listChanged: false } },
        instructions: instructionsFor(mode),
        // A client may keep the list as long as the server keeps the catalog it was built from.
        cacheHints: { 'tools/list': { ttlMs: this.config.catalogTtlSeconds * 1000, cacheScope: 'private' } },
        ...this.urlElicitation.serverOptions,
      };
      this.options.set(mode, options);
    }
    return options;
  }

  private declares(tool: Tool): boolean {
    let declares = this.paramHeaders.get(tool);
    if (declares === undefined) {
      declares = declaresParamHeaders(tool);
      this.paramHeaders.set(tool, declares);
    }
    return declares;
  }

  /** Runs a handler body, reporting a JSON-RPC error it throws to the request's span. */
  private async failing<T>(state: StatelessRequest, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof RpcError) state.outcome.fail(String(err.code), err.code);
      throw err;
    }
  }
}
