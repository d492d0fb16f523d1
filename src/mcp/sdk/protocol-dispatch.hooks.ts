import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';

/*
 * SDK shortcut — bypasses: the SDK `Server`'s closed dispatch (it has no per-request hook), by
 * wrapping its private `Protocol._onrequest` / `_onnotification` (the ones `JsonExchangeTransport`
 * calls directly, and the SDK's own `onmessage` calls for every other transport) and its
 * transport's `send` / `onclose`; used by telemetry/tracing.ts for the session era's spans.
 * Pinned: `@modelcontextprotocol/sdk` 1.32.2. Parity: protocol-dispatch.hooks.spec.ts checks against
 * the real `Server` that every request, answer, cancellation and close passes through them, on both
 * dispatch paths; test/sdk-parity.e2e-spec.ts runs the byte-for-byte suite with tracing on.
 */

/** What is told about the requests a hooked `Server` handles. */
export interface ProtocolRequestHooks {
  /** A request is about to be dispatched: call `dispatch` once (in the async context its handler should run in). */
  request(request: JSONRPCRequest, extra: MessageExtraInfo | undefined, dispatch: () => void): void;
  /** The answer (result or error) to a request is about to be sent. */
  response(message: JSONRPCMessage & { id: RequestId }): void;
  /** A request will get no answer: the client cancelled it (`id`), or the connection closed (every pending request). */
  abandoned(id: RequestId | undefined, reason: 'cancelled' | 'closed'): void;
}

interface HookableProtocol {
  _onrequest?: (request: JSONRPCRequest, extra?: MessageExtraInfo) => void;
  _onnotification?: (notification: JSONRPCNotification) => void;
  readonly transport?: Transport;
}

const isAnswer = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } => 'id' in m && ('result' in m || 'error' in m);

/**
 * Hooks a `Server` (an SDK `Protocol`) that is already connected to its transport. Returns false,
 * leaving it untouched, when the SDK no longer has the members used here.
 */
export function hookProtocolRequests(server: object, hooks: ProtocolRequestHooks): boolean {
  const protocol = server as HookableProtocol;
  const transport = protocol.transport;
  const onrequest = protocol._onrequest;
  const onnotification = protocol._onnotification;
  if (typeof onrequest !== 'function' || typeof onnotification !== 'function' || !transport || typeof transport.send !== 'function') return false;

  protocol._onrequest = (request, extra) => hooks.request(request, extra, () => onrequest.call(protocol, request, extra));
  protocol._onnotification = (notification) => {
    if (notification.method === 'notifications/cancelled') {
      const id = (notification.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof id === 'string' || typeof id === 'number') hooks.abandoned(id, 'cancelled');
    }
    onnotification.call(protocol, notification);
  };
  const send = transport.send;
  transport.send = (message, options) => {
    if (isAnswer(message)) hooks.response(message);
    return send.call(transport, message, options);
  };
  const onclose = transport.onclose;
  transport.onclose = () => {
    hooks.abandoned(undefined, 'closed');
    onclose?.();
  };
  return true;
}
