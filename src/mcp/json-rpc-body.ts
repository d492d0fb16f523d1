import { isInitializeRequest, JSONRPCMessage, JSONRPCMessageSchema, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { BadRequestError } from '../common/domain.errors';
import { JsonRpcErrorCode } from '../common/json-rpc';

export const MAX_BATCH = 100;

/**
 * The deepest a message may nest objects and arrays (the message object itself is level 1). MCP
 * messages use a handful of levels plus the tool arguments; far deeper ones only serve to overflow
 * the stack of whatever walks them recursively later (`JSON.stringify` when relaying over Redis, the
 * SDK's schemas), so they are refused at the door.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether a parsed JSON value nests objects and arrays more than `limit` levels deep. Iterative (an
 * explicit stack, no recursion), it stops at the first container past the limit and visits each
 * value at most once, so its cost is bounded by the size of the body the value was parsed from.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ value: object; depth: number }> = [];
  if (value !== null && typeof value === 'object') stack.push({ value, depth: 1 });
  for (let top = stack.pop(); top; top = stack.pop()) {
    if (top.depth > limit) return true;
    for (const child of Array.isArray(top.value) ? top.value : Object.values(top.value)) {
      if (child !== null && typeof child === 'object') stack.push({ value: child as object, depth: top.depth + 1 });
    }
  }
  return false;
}

/**
 * Checks that a parsed body is one JSON-RPC message or a batch of them, none nested deeper than
 * {@link MAX_JSON_DEPTH}; 400 with -32600 otherwise.
 */
export function parseJsonRpcBody(body: unknown): JSONRPCMessage[] {
  if (body === undefined || body === null || typeof body !== 'object') {
    throw new BadRequestError('Invalid Request: the body must be a JSON-RPC 2.0 message object (or a batch array).', JsonRpcErrorCode.InvalidRequest);
  }
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) throw new BadRequestError('Invalid Request: empty batch.', JsonRpcErrorCode.InvalidRequest);
  if (items.length > MAX_BATCH) throw new BadRequestError(`Invalid Request: a batch may hold at most ${MAX_BATCH} messages.`, JsonRpcErrorCode.InvalidRequest);
  return items.map((item, i) => {
    const where = Array.isArray(body) ? ` (batch item ${i})` : '';
    if (nestsDeeperThan(item, MAX_JSON_DEPTH)) {
      throw new BadRequestError(
        `Invalid Request${where}: the message nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep.`,
        JsonRpcErrorCode.InvalidRequest,
      );
    }
    const parsed = JSONRPCMessageSchema.safeParse(item);
    if (!parsed.success) {
      throw new BadRequestError(
        `Invalid Request${where}: not a JSON-RPC 2.0 message (needs "jsonrpc": "2.0" and a "method" string, or a result/error with an id).`,
        JsonRpcErrorCode.InvalidRequest,
      );
    }
    return parsed.data;
  });
}

// The messages are already validated by `parseJsonRpcBody`, so plain property checks suffice here
// (the SDK's zod-based type guards build error objects for every non-match, which shows in profiles).
const methodOf = (m: JSONRPCMessage): string | undefined => ('method' in m && 'id' in m ? m.method : undefined);

export function isSingleInitialize(messages: JSONRPCMessage[]): boolean {
  return messages.length === 1 && methodOf(messages[0]) === 'initialize' && isInitializeRequest(messages[0]);
}

export function containsInitialize(messages: JSONRPCMessage[]): boolean {
  return messages.some((m) => methodOf(m) === 'initialize');
}

const NO_PARAMS: { name?: unknown; _meta?: unknown } = Object.freeze({});

/** The params of a `tools/call` request (undefined for any other message). */
export function toolCallParams(m: JSONRPCMessage): { name?: unknown; _meta?: unknown } | undefined {
  return methodOf(m) === 'tools/call' ? ((m as { params?: { name?: unknown; _meta?: unknown } }).params ?? NO_PARAMS) : undefined;
}

/** Whether a `tools/call`'s params ask for progress (`_meta.progressToken`): its answer must be able to stream (SPEC §18). */
export function asksForProgress(params: { _meta?: unknown }): boolean {
  const meta = params._meta as { progressToken?: unknown } | null | undefined;
  return meta !== undefined && meta !== null && typeof meta === 'object' && meta.progressToken !== undefined;
}

/** The ids of the requests among the messages (what the client waits answers for). */
export function requestIds(messages: JSONRPCMessage[]): RequestId[] {
  const ids: RequestId[] = [];
  for (const m of messages) if ('method' in m && 'id' in m) ids.push(m.id);
  return ids;
}

/** The `notifications/cancelled` among the messages: which request each one cancels, and why. */
export function cancellations(messages: JSONRPCMessage[]): Array<{ requestId: RequestId; reason?: string }> {
  const out: Array<{ requestId: RequestId; reason?: string }> = [];
  for (const m of messages) {
    if (!('method' in m) || 'id' in m || m.method !== 'notifications/cancelled') continue;
    const params = (m as { params?: { requestId?: unknown; reason?: unknown } }).params;
    const id = params?.requestId;
    if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) {
      out.push({ requestId: id, ...(typeof params?.reason === 'string' ? { reason: params.reason } : {}) });
    }
  }
  return out;
}

/** Whether a `tools/call` of the body asks for progress (`_meta.progressToken`). */
export function callsWithProgress(messages: JSONRPCMessage[]): boolean {
  return messages.some((m) => {
    const params = toolCallParams(m);
    return params !== undefined && asksForProgress(params);
  });
}
