import { Server, type Transport } from '@modelcontextprotocol/server';
import type { JSONRPCMessage, JSONRPCRequest, MessageExtraInfo } from '@modelcontextprotocol/server';

/*
 * SDK shortcut — bypasses: `Protocol.onmessage`'s zod type guards in the 2026-07-28 era. The SDK v2
 * `Server` wires its transport's `onmessage` to run `isJSONRPCResultResponse`, then
 * `isJSONRPCErrorResponse` (both fail for a request, building zod issues), then `isJSONRPCRequest`,
 * before calling its private `Protocol._onrequest`. `createMcpHandler` has already classified the
 * message as a request with those same schemas, so this `Server` calls `_onrequest` directly for a
 * request (the SDK's own request handling, params validation included, is unchanged); anything else,
 * or an SDK without `_onrequest`, goes through the SDK's `onmessage`. The same shortcut as the
 * session era's protocol-dispatch.json-exchange.transport.ts.
 * Pinned: `@modelcontextprotocol/server` 2.4.0. Parity: protocol-onmessage.direct-dispatch.spec.ts
 * answers the same requests through `createMcpHandler` with this `Server` and with the SDK's own,
 * byte for byte; test/protocol-eras.e2e-spec.ts runs the era through it.
 */

interface ProtocolDispatch {
  _onrequest?: (request: JSONRPCRequest, extra?: MessageExtraInfo) => void;
}

function looksLikeRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message && message.id !== undefined && !('result' in message) && !('error' in message);
}

export class DirectDispatchServer extends Server {
  override async connect(transport: Transport): Promise<void> {
    await super.connect(transport);
    const dispatch = this as unknown as ProtocolDispatch;
    const generic = transport.onmessage;
    if (typeof dispatch._onrequest !== 'function' || !generic) return;
    const onrequest = dispatch._onrequest;
    transport.onmessage = (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
      if (looksLikeRequest(message)) onrequest.call(this, message, extra);
      else generic(message, extra);
    };
  }
}
