import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';

/*
 * SDK shortcut — bypasses: the SDK's `StreamableHTTPServerTransport` (Node → Web Request → Web
 * Response → Node, per request) on the session era's JSON hot path, and `Protocol.onmessage`'s zod
 * type guards, by calling the private `Protocol._onrequest` / `_onnotification` of the SDK `Server`.
 * Pinned: `@modelcontextprotocol/sdk` 1.32.2. Parity: test/sdk-parity.e2e-spec.ts (byte for byte
 * against the SDK transport, tracing off and on); protocol-dispatch.json-exchange.transport.spec.ts
 * checks the private methods still exist (without them it falls back to `onmessage`).
 */

function isRequest(m: JSONRPCMessage): m is JSONRPCRequest {
  return 'method' in m && 'id' in m && m.id !== undefined;
}

function isNotification(m: JSONRPCMessage): m is JSONRPCNotification {
  return 'method' in m && !('id' in m);
}

function isResponse(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } {
  return 'id' in m && ('result' in m || 'error' in m);
}

/**
 * The dispatch methods of the SDK's `Protocol` (`Server` extends it). Its `onmessage` calls them
 * after running zod type guards on every message, and for a request the first two guards (is it a
 * result? an error?) fail and build zod issue objects — about 6 % of a `tools/call`'s CPU in the
 * profile. Our messages are already validated by `parseJsonRpcBody`, so we call them directly when
 * they exist (the SDK's own request handling, params validation included, is unchanged). A spec
 * checks that the SDK still has them; without them we fall back to `onmessage`.
 */
export interface ProtocolDispatch {
  _onrequest?: (request: JSONRPCRequest, extra?: MessageExtraInfo) => void;
  _onnotification?: (notification: JSONRPCNotification) => void;
}

/**
 * An MCP SDK `Transport` for one HTTP exchange answered with plain JSON: it hands the request's
 * messages to the SDK `Server` and resolves with the responses once every request is answered.
 * It replaces the SDK's Streamable HTTP transport on the hot path (requests that need no
 * server→client messages while they run), which converts every Node request to a Web `Request`,
 * builds Web streams and re-parses the body; the protocol handling stays the SDK `Server`'s.
 */
export class JsonExchangeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  sessionId?: string;

  private readonly waiting = new Set<RequestId>();
  private readonly responses = new Map<RequestId, JSONRPCMessage>();
  private done?: (responses: JSONRPCMessage[]) => void;
  private order: RequestId[] = [];

  /** @param protocol the `Server` this transport is connected to (for direct dispatch), if any. */
  constructor(private readonly protocol?: ProtocolDispatch) {}

  async start(): Promise<void> {
    return;
  }

  /** Delivers the messages; resolves with the responses in request order ([] when only notifications). */
  exchange(messages: JSONRPCMessage[], extra: MessageExtraInfo): Promise<JSONRPCMessage[]> {
    this.order = messages.filter(isRequest).map((m) => m.id);
    for (const id of this.order) this.waiting.add(id);
    const result = new Promise<JSONRPCMessage[]>((resolve) => {
      this.done = resolve;
    });
    for (const message of messages) this.deliver(message, extra);
    if (this.waiting.size === 0) this.finish();
    return result;
  }

  private deliver(message: JSONRPCMessage, extra: MessageExtraInfo): void {
    const protocol = this.protocol;
    if (protocol && typeof protocol._onrequest === 'function' && isRequest(message)) protocol._onrequest(message, extra);
    else if (protocol && typeof protocol._onnotification === 'function' && isNotification(message)) protocol._onnotification(message);
    else this.onmessage?.(message, extra);
  }

  /** Request ids of this exchange still waiting for their answer. */
  get pending(): RequestId[] {
    return [...this.waiting];
  }

  /**
   * Cancels one of this exchange's requests the way the protocol does (`notifications/cancelled`
   * to the SDK `Server`): its handler's signal aborts, the SDK sends no answer for it, and the
   * exchange stops waiting for one.
   */
  cancel(id: RequestId, reason?: string): boolean {
    if (!this.waiting.has(id)) return false;
    this.deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, ...(reason !== undefined ? { reason } : {}) } }, {});
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.finish();
    return true;
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    // Notifications and server→client requests have no place in a plain JSON answer.
    if (!isResponse(message) || !this.waiting.has(message.id)) return;
    this.waiting.delete(message.id);
    this.responses.set(message.id, message);
    if (this.waiting.size === 0) this.finish();
  }

  private finish(): void {
    const done = this.done;
    this.done = undefined;
    done?.(this.order.map((id) => this.responses.get(id)!).filter(Boolean));
  }

  async close(): Promise<void> {
    this.finish();
    this.onclose?.();
  }
}
