import { createHash } from 'node:crypto';

/**
 * How a session is named in log lines. A Streamable HTTP session id is useless without the
 * owner's token, so it is logged as it is (operators correlate with the client's `Mcp-Session-Id`).
 * A legacy SSE session id is the only credential of token-less `POST /sse/messages`, so it never
 * reaches a log: it appears as `sse:` + the first 16 hex digits of its SHA-256.
 */
export function sessionLogRef(session: { id: string; transport: 'streamable-http' | 'sse' }): string {
  return session.transport === 'sse' ? hashedSessionRef(session.id, 'sse') : session.id;
}

/** A session id as a log reference that cannot be used as the id (`<label>:` + SHA-256 prefix). */
export function hashedSessionRef(id: string, label = 'session'): string {
  return `${label}:${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
}
