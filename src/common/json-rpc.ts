/** JSON-RPC 2.0 error codes used on the MCP routes. */
export const JsonRpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Implementation-defined server errors (-32000 to -32099). */
  ServerError: -32000,
  SessionNotFound: -32001,
  Unauthorized: -32002,
  UpstreamUnavailable: -32003,
  Overloaded: -32004,
} as const;

export interface JsonRpcErrorBody {
  jsonrpc: '2.0';
  error: { code: number; message: string; data?: unknown };
  id: string | number | null;
}

export function jsonRpcError(code: number, message: string, id: string | number | null = null, data?: unknown): JsonRpcErrorBody {
  return { jsonrpc: '2.0', error: data === undefined ? { code, message } : { code, message, data }, id };
}

/**
 * An error the MCP SDK turns into a JSON-RPC error response with this exact code and message
 * (the SDK's own McpError prefixes the message with "MCP error <code>:").
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RpcError';
  }
}
