import { HttpException } from '@nestjs/common';
import { DomainError } from './domain.errors';
import { JsonRpcErrorCode, jsonRpcError } from './json-rpc';
import { redactSecrets } from './redact';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Unexpected failure: log it with its stack. */
  unexpected: boolean;
}

/** `/mcp` and everything under `/sse`, in any case and with a trailing slash, as Express routes them. */
const MCP_ROUTE = /^\/(mcp\/?$|sse)/i;

/** MCP routes answer errors with a JSON-RPC body; the others with a small REST JSON body. */
export function isMcpRoute(path: string): boolean {
  return MCP_ROUTE.test(path);
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  limit?: number;
}

const RPC_CODE_BY_STATUS: Record<number, number> = {
  400: JsonRpcErrorCode.InvalidRequest,
  401: JsonRpcErrorCode.Unauthorized,
  404: JsonRpcErrorCode.SessionNotFound,
};

function classify(err: unknown): { status: number; message: string; rpcCode: number; headers: Record<string, string>; unexpected: boolean } {
  if (err instanceof DomainError) {
    return { status: err.httpStatus, message: err.message, rpcCode: err.rpcCode, headers: err.headers, unexpected: false };
  }
  const bp = err as BodyParserError;
  if (bp && typeof bp.type === 'string' && typeof bp.status === 'number') {
    if (bp.type === 'entity.parse.failed') {
      return { status: 400, message: 'Parse error: the body is not valid JSON.', rpcCode: JsonRpcErrorCode.ParseError, headers: {}, unexpected: false };
    }
    if (bp.type === 'entity.too.large') {
      return {
        status: 413,
        message: `Payload too large: the body exceeds the limit of ${bp.limit ?? 'BODY_LIMIT'} bytes.`,
        rpcCode: JsonRpcErrorCode.InvalidRequest,
        headers: {},
        unexpected: false,
      };
    }
    if (bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported') {
      return { status: 415, message: 'Unsupported content encoding or charset.', rpcCode: JsonRpcErrorCode.InvalidRequest, headers: {}, unexpected: false };
    }
    if (bp.status >= 400 && bp.status < 500) {
      return { status: bp.status, message: 'Bad request body.', rpcCode: JsonRpcErrorCode.InvalidRequest, headers: {}, unexpected: false };
    }
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    // Messages built by libraries may quote the request (Nest's 404 quotes the URL): no credential leaves.
    const message = redactSecrets(Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : err.message);
    return { status, message, rpcCode: RPC_CODE_BY_STATUS[status] ?? JsonRpcErrorCode.ServerError, headers: {}, unexpected: false };
  }
  return { status: 500, message: 'Internal server error.', rpcCode: JsonRpcErrorCode.InternalError, headers: {}, unexpected: true };
}

export function toErrorResponse(err: unknown, path: string, requestId?: unknown): ErrorResponse {
  const c = classify(err);
  const id = typeof requestId === 'string' || typeof requestId === 'number' ? requestId : null;
  const body = isMcpRoute(path) ? jsonRpcError(c.rpcCode, c.message, id) : { statusCode: c.status, error: httpReason(c.status), message: c.message };
  return { status: c.status, headers: c.headers, body, unexpected: c.unexpected };
}

function httpReason(status: number): string {
  const reasons: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    406: 'Not Acceptable',
    409: 'Conflict',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return reasons[status] ?? 'Error';
}
