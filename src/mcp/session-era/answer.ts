import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { SessionRecord } from '../../sessions/session.types';
import type { ToolRegistry } from '../../tools/tool-registry';
import { asksForProgress, toolCallParams } from '../json-rpc-body';

/**
 * How the session era answers one POST of JSON-RPC messages (the transport then only writes it):
 * - `stream`: through the SDK's Streamable HTTP transport, as SSE — a call in it sends messages on
 *   the request's own stream while it runs (progress for a `progressToken`; a tool's notification or
 *   URL elicitation, as the registry says);
 * - `cached-list`: a lone `tools/list` whose answer the registry has pre-serialized (static mode);
 * - `json`: the hot path, the SDK `Server` through the in-process exchange, one JSON answer.
 */
export type SessionEraAnswer = 'stream' | 'cached-list' | 'json';

/**
 * The session era's answer for a POST's messages (already checked by `parseJsonRpcBody`): `batch`
 * when the body was an array (a batch of one still gets a batch answer, never the cached list).
 * One pass over the messages, no allocation: it runs for every request.
 */
export function sessionEraAnswer(
  messages: readonly JSONRPCMessage[],
  batch: boolean,
  session: Pick<SessionRecord, 'mode' | 'clientElicitsUrl'>,
  tools: Pick<ToolRegistry, 'callStream' | 'sharesList'>,
): SessionEraAnswer {
  for (const m of messages) {
    const call = toolCallParams(m);
    if (call === undefined) continue;
    if (asksForProgress(call)) return 'stream';
    if (typeof call.name !== 'string') continue;
    const stream = tools.callStream(call.name);
    // A URL elicitation goes only to clients that declared the capability at initialize.
    if (stream === 'notifies' || (stream === 'elicits' && session.clientElicitsUrl)) return 'stream';
  }
  if (!batch && messages.length === 1) {
    const only = messages[0];
    if ('method' in only && 'id' in only && only.method === 'tools/list' && tools.sharesList(session)) return 'cached-list';
  }
  return 'json';
}
