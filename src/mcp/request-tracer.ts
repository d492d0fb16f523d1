import { Injectable } from '@nestjs/common';
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';

/**
 * Protocol versions a span or metric may name: the session era's (SDK v1) and the stateless
 * revision. Anything else a client sends is `other` — a metric attribute is kept for the life of
 * the process, so it never carries client text (issue 20: 1 MB versions exhausted the heap).
 */
const KNOWN_PROTOCOL_VERSIONS: ReadonlySet<string> = new Set([...SUPPORTED_PROTOCOL_VERSIONS, '2026-07-28']);

/** A protocol version as telemetry may show it: a known one, else `other`. */
export function protocolVersionLabel(version: string | undefined): string | undefined {
  if (version === undefined) return undefined;
  return KNOWN_PROTOCOL_VERSIONS.has(version) ? version : 'other';
}

/** HTTP request headers as Node gives them (lower-case names). */
export type HeaderBag = Record<string, string | string[] | undefined>;

/** What every JSON-RPC request of one HTTP exchange (or one SSE session) shares. */
export interface McpExchange {
  /**
   * The session as it may be shown: a Streamable HTTP session id as it is, a legacy SSE session id
   * only as its `sessionLogRef` (that id is a credential).
   */
  sessionId?: string;
  /** The negotiated protocol version (`MCP-Protocol-Version`, or the session's). */
  protocolVersion?: string;
  /** The HTTP request's headers, for a `traceparent` when the message carries none in `_meta`. */
  headers?: HeaderBag;
}

/** One MCP request, as a span and the `mcp.server.operation.duration` metric describe it. */
export interface McpRequestInfo extends McpExchange {
  /** `mcp.method.name`, e.g. `tools/call`. */
  method: string;
  /** The tool (or prompt) name or resource URI the request is about: the span is `{method} {target}`. */
  target?: string;
  requestId?: string | number;
  /** `params._meta` of the request: a `traceparent` there is the parent, before the HTTP headers'. */
  meta?: unknown;
}

/** How a traced request reports an outcome that is not a thrown error. */
export interface RequestOutcome {
  /**
   * Marks the request failed: `errorType` becomes `error.type` (a JSON-RPC error code as a string,
   * `tool_error` for an `isError` tool result), `rpcCode` `rpc.response.status_code`.
   */
  fail(errorType: string, rpcCode?: number): void;
}

/** The tool or prompt name, or resource URI, that a request is about (`{method} {target}`). */
function targetOf(method: string, params: unknown): string | undefined {
  const p = params as { name?: unknown; uri?: unknown } | undefined;
  if (method === 'tools/call' || method === 'prompts/get') return typeof p?.name === 'string' ? p.name : undefined;
  if (method.startsWith('resources/')) return typeof p?.uri === 'string' ? p.uri : undefined;
  return undefined;
}

/** A JSON-RPC request as `McpRequestInfo`. */
export function describeRequest(request: JSONRPCRequest, exchange: McpExchange, headers?: HeaderBag): McpRequestInfo {
  const params = request.params as { _meta?: unknown; protocolVersion?: unknown } | undefined;
  return {
    method: request.method,
    target: targetOf(request.method, params),
    requestId: request.id,
    sessionId: exchange.sessionId,
    // initialize names the version it asks for; later requests run under the negotiated one.
    // Either way only a known version, else `other` (a client chooses what it sends).
    protocolVersion: protocolVersionLabel(
      request.method === 'initialize' && typeof params?.protocolVersion === 'string' ? params.protocolVersion : exchange.protocolVersion,
    ),
    meta: params?._meta,
    headers: headers ?? exchange.headers,
  };
}

const NO_OUTCOME: RequestOutcome = Object.freeze({ fail: () => undefined });

/**
 * Port for per-request tracing of MCP requests (OpenTelemetry SERVER spans), bound by
 * `TelemetryModule` to `McpTelemetry`. This default traces nothing and costs nothing: transports
 * built by hand (tests) work without it.
 */
@Injectable()
export class RequestTracer {
  /** Whether anything is traced (callers may skip building request info when not). */
  get enabled(): boolean {
    return false;
  }

  /**
   * Instruments an SDK `Server` already connected to its transport: each JSON-RPC request it
   * receives gets a span that ends when its answer is sent (or it is cancelled, or the connection closes).
   */
  traceServer(_server: object, _exchange: McpExchange): void {
    return;
  }

  /** Runs `fn` as one MCP request (for answers written without the SDK `Server`, like the cached `tools/list`). */
  inRequestSpan<T>(_info: McpRequestInfo, fn: (outcome: RequestOutcome) => Promise<T>): Promise<T> {
    return fn(NO_OUTCOME);
  }
}
