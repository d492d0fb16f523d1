import { Server, type Transport } from '@modelcontextprotocol/server';
import type { JSONRPCMessage, JSONRPCRequest, MessageExtraInfo } from '@modelcontextprotocol/server';
import { answerJsonWithoutResponseBody } from './per-request-transport-send.json-answer';

/*
 * SDK shortcut — bypasses: `Protocol.onmessage`'s zod type guards in the 2026-07-28 era. The SDK v2
 * `Server` wires its transport's `onmessage` to run `isJSONRPCResultResponse`, then
 * `isJSONRPCErrorResponse` (both fail for a request, building zod issues), then `isJSONRPCRequest`,
 * before calling its private `Protocol._onrequest`. `createMcpHandler` has already classified the
 * message as a request with those same schemas, so this `Server` calls `_onrequest` directly for a
 * request (the SDK's own request handling, params validation included, is unchanged); anything else,
 * or an SDK without `_onrequest`, goes through the SDK's `onmessage`. The same shortcut as the
 * session era's protocol-dispatch.json-exchange.transport.ts.
 *
 * Also bypassed: the stack trace of the `SdkError` that `Protocol._onclose` (a documented subclass
 * hook) builds on every close. The per-request transport closes after every answer, and `_onclose`
 * builds a `ConnectionClosed` error to reject pending outbound requests and abort the handlers still
 * registered — after an answer that is only the finished handler's abort controller, whose signal no
 * one waits on any more. Capturing that error's stack was ≈ 1.5 % of a 2026-era call's CPU. When
 * the transport has delivered its terminal answer and no outbound request is pending, `_onclose`
 * runs with `Error.stackTraceLimit = 0` (the same error, code and message, without a stack; an
 * error a listener of the finished handler's signal builds in that window has none either); in
 * every other case (a client gone mid-call, a pending elicitation) it runs as the SDK wrote it.
 *
 * Pinned: `@modelcontextprotocol/server` 2.4.0. Parity: protocol-onmessage.direct-dispatch.spec.ts
 * answers the same requests through `createMcpHandler` with this `Server` and with the SDK's own,
 * byte for byte, and compares the finished handler's abort reason; test/protocol-eras.e2e-spec.ts
 * runs the era through it.
 */

interface ProtocolDispatch {
  _onrequest?: (request: JSONRPCRequest, extra?: MessageExtraInfo) => void;
  /** The outbound requests (e.g. an elicitation) still waiting for the client's answer. */
  _responseHandlers?: Map<unknown, unknown>;
  /** `PerRequestHTTPServerTransport`'s "the exchange's answer went out". */
  _transport?: { _terminalDelivered?: unknown };
}

function looksLikeRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message && message.id !== undefined && !('result' in message) && !('error' in message);
}

export class DirectDispatchServer extends Server {
  override async connect(transport: Transport): Promise<void> {
    await super.connect(transport);
    // The terminal JSON result without Response.json (see per-request-transport-send.json-answer.ts).
    answerJsonWithoutResponseBody(transport);
    const dispatch = this as unknown as ProtocolDispatch;
    const generic = transport.onmessage;
    if (typeof dispatch._onrequest !== 'function' || !generic) return;
    const onrequest = dispatch._onrequest;
    transport.onmessage = (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
      if (looksLikeRequest(message)) onrequest.call(this, message, extra);
      else generic(message, extra);
    };
  }

  protected override _onclose(): void {
    const state = this as unknown as ProtocolDispatch;
    if (state._transport?._terminalDelivered !== true || state._responseHandlers?.size !== 0) return super._onclose();
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super._onclose();
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}
