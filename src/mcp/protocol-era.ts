import type { Request } from 'express';
import { classifyInboundRequest } from '@modelcontextprotocol/server';
import { BadRequestError } from '../common/domain.errors';
import { JsonRpcErrorCode } from '../common/json-rpc';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-rpc-body';
import { certainlyModernPostBody } from './sdk/classify-inbound-request.envelope-claim';

/** The stateless protocol revision the 2026-07-28 era serves. */
export const STATELESS_REVISION = '2026-07-28';

/**
 * Which protocol era answers a request: `session` (2025-11-25 and earlier: `initialize`,
 * `Mcp-Session-Id`; `session-era/` and the session transports) or `stateless` (2026-07-28:
 * `stateless/`, on the MCP SDK v2).
 */
export type ProtocolEra = 'session' | 'stateless';

/** What the era decision reads of an HTTP request. */
export type EraRequest = Pick<Request, 'method' | 'headers' | 'body'>;

/** A header as a Web `Headers` object reads it: repeated values joined with ", ". */
function joinedHeader(req: EraRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function header(req: EraRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The era of a Streamable HTTP request (`/mcp`, its mode paths, and `POST`/`DELETE /sse`) — the one
 * place it is decided. A request with `Mcp-Session-Id` is the session era's; a POST is the 2026 era's
 * when the SDK's own classification says so (`classifyInboundRequest`, what its `isLegacyRequest`
 * runs: a `_meta` protocol-version claim, or a 2026 `MCP-Protocol-Version` header) — on the parsed
 * body and the Node headers, so a session-era request is never converted to a Web `Request`; a GET
 * or DELETE when it names the 2026 revision in `MCP-Protocol-Version` (the SDK answers it 405).
 * A POST nested deeper than {@link MAX_JSON_DEPTH} is refused here (400), whichever era it is.
 */
export function protocolEra(req: EraRequest): ProtocolEra {
  if (header(req, 'mcp-session-id') !== undefined) return 'session';
  if (req.method !== 'POST') return header(req, 'mcp-protocol-version') === STATELESS_REVISION ? 'stateless' : 'session';
  const body: unknown = req.body;
  // An unparsed body (wrong Content-Type) is the session era's 415 to give; an array is a batch,
  // which the 2026 revision does not have (the session era answers it without an upstream call).
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return 'session';
  // Before the SDK walks the body (recursively: 20,000 levels overflowed its stack, a 500), the
  // same nesting limit as the session era, whichever era the message turns out to be.
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new BadRequestError(
      `Invalid Request: the message nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep.`,
      JsonRpcErrorCode.InvalidRequest,
    );
  }
  // A body carrying the 2026 envelope claim is the 2026 era's without running the SDK's zod guards
  // (its handler classifies the body again and answers any rejection; see src/mcp/sdk/).
  if (certainlyModernPostBody(body)) return 'stateless';
  const route = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader: joinedHeader(req, 'mcp-protocol-version'),
    mcpMethodHeader: joinedHeader(req, 'mcp-method'),
    mcpNameHeader: joinedHeader(req, 'mcp-name'),
    body,
  });
  return route.kind === 'legacy' ? 'session' : 'stateless';
}

/**
 * Whether a `GET /sse` opens a legacy HTTP+SSE stream rather than being a Streamable HTTP GET (a
 * session's stream, or of a 2026 revision, then decided by {@link protocolEra}): legacy clients send
 * neither header.
 */
export function opensLegacySseStream(req: Pick<Request, 'headers'>): boolean {
  const version = req.headers['mcp-protocol-version'];
  return req.headers['mcp-session-id'] === undefined && !(typeof version === 'string' && version >= STATELESS_REVISION);
}
