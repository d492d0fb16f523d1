import type { Response } from 'express';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { jsonRpcError, RpcError } from '../../common/json-rpc';

/*
 * SDK shortcut — bypasses: the SDK `Server`'s `tools/list` handler and serializer (session era,
 * static mode): a hand-written JSON-RPC answer around the registry's pre-serialized list.
 * Pinned: `@modelcontextprotocol/sdk` 1.32.2. Parity: test/sdk-parity.e2e-spec.ts proves it
 * byte-identical to what the SDK `Server` writes (static list, `apps` filter, tracing off and on).
 */

/** A JSON answer written straight to Node's response (Express' `res.json` adds charset parsing on top). */
export function writeJson(res: Response, status: number, json: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}

/**
 * A static-mode `tools/list` answered with the registry's pre-serialized payload (identical to what
 * the SDK `Server` would write for the same handler result, without re-serializing hundreds of
 * schemas per request). A listing failure is answered here too, exactly as the SDK would answer the
 * `RpcError` (so the upstream is not asked a second time). Returns false when the message is not a
 * `tools/list` or the caller's list is not shared (dynamic mode): the SDK answers then.
 */
export async function writeCachedToolList(res: Response, message: JSONRPCMessage, listJson: () => Promise<string | undefined>): Promise<boolean> {
  if (!('method' in message) || message.method !== 'tools/list' || !('id' in message)) return false;
  let json: string | undefined;
  try {
    json = await listJson();
  } catch (err) {
    if (!(err instanceof RpcError)) return false;
    writeJson(res, 200, JSON.stringify(jsonRpcError(err.code, err.message, message.id, err.data)));
    return true;
  }
  if (json === undefined) return false;
  writeJson(res, 200, `{"result":${json},"jsonrpc":"2.0","id":${JSON.stringify(message.id)}}`);
  return true;
}
