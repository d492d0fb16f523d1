import type { JSONRPCMessage, Transport, TransportSendOptions } from '@modelcontextprotocol/server';

/*
 * SDK shortcut — bypasses: the JSON branch of `PerRequestHTTPServerTransport.send` (2026-07-28 era,
 * `createMcpHandler`'s per-request transport). For the exchange's terminal result that branch runs
 * the zod guards `isJSONRPCResultResponse` (over the whole result) and `isJSONRPCErrorResponse`, then
 * builds `Response.json(message)` — JSON.stringify, TextEncoder, a body ReadableStream — which our
 * transport then reads back through undici's body mixin to write it to Node's response (together
 * ≈ 4 % of a 2026-era call's CPU). Here, when the transport would take that branch — a message with
 * `result` answering the exchange's request, nothing delivered or streamed yet, response mode
 * `auto`, transport open — the answer settles as the same status and headers (`200`,
 * `Content-Type: application/json`) with no body, and the message is kept on the `Response`;
 * {@link jsonAnswerBody} gives its JSON text, which is what `Response.json` would have carried
 * (`JSON.stringify` of the same object). The transport is closed in a microtask, as the SDK does.
 * Errors, notifications, SSE upgrades and anything the SDK's guards alone could decide go through
 * the SDK's `send`; so does a transport without the fields read here (another SDK version).
 * Whoever reads such a Response must read its body with {@link jsonAnswerBody} (our transport,
 * `mcp/transports/web-response.ts`, does); only `DirectDispatchServer` installs it.
 *
 * Pinned: `@modelcontextprotocol/server` 2.4.0. Parity: protocol-onmessage.direct-dispatch.spec.ts
 * answers the same requests through `createMcpHandler` with the SDK `Server` and with
 * `DirectDispatchServer` (status, headers, body text byte for byte);
 * test/protocol-eras.e2e-spec.ts and test/sdk-parity.e2e-spec.ts run the era over HTTP through it.
 */

/** What this reads and writes of `PerRequestHTTPServerTransport` 2.4.0. */
interface PerRequestTransportState {
  _requestId?: unknown;
  _terminalDelivered?: boolean;
  _sse?: unknown;
  _responseMode?: unknown;
  _closed?: boolean;
  settleResponse?: (response: globalThis.Response) => void;
}

/**
 * The body-less `Response` of an answer settled here, carrying its message. The message rides on the
 * Response itself rather than in a process-wide `WeakMap` keyed by it: that map's table (entries are
 * ephemerons, cleared only as the collector gets to them) held ≈ 256 KB under load in a heap snapshot.
 */
class JsonAnswer extends Response {
  constructor(readonly message: JSONRPCMessage) {
    super(null, { status: 200, headers: { 'Content-Type': 'application/json' } });
  }
}

/** The JSON text of an answer settled by this shortcut (undefined for any other Response: read its body). */
export function jsonAnswerBody(response: globalThis.Response): string | undefined {
  return response instanceof JsonAnswer ? JSON.stringify(response.message) : undefined;
}

function hasState(transport: Transport): boolean {
  const t = transport as unknown as PerRequestTransportState;
  return typeof t.settleResponse === 'function' && '_terminalDelivered' in t && '_responseMode' in t && '_sse' in t && '_requestId' in t && '_closed' in t;
}

/** Makes a connected per-request transport settle its terminal JSON result without `Response.json`. */
export function answerJsonWithoutResponseBody(transport: Transport): void {
  if (!hasState(transport)) return;
  const t = transport as unknown as PerRequestTransportState & Required<Pick<PerRequestTransportState, 'settleResponse'>>;
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> => {
    if (
      t._closed ||
      t._terminalDelivered ||
      t._sse !== undefined ||
      t._responseMode !== 'auto' ||
      t._requestId === undefined ||
      !('result' in message) ||
      !('id' in message) ||
      message.id !== t._requestId
    )
      return send(message, options);
    t._terminalDelivered = true;
    t.settleResponse(new JsonAnswer(message));
    queueMicrotask(() => void transport.close());
    return Promise.resolve();
  };
}
