import type { SessionRecord } from './session.types';

/**
 * Where session state and chat-id mappings live. The in-memory adapter is the zero-config
 * default; the Redis adapter lets many replicas share sessions. Implementations expire idle
 * sessions after `ttlSeconds` of no use and make `addEnabledTools` atomic.
 */
export interface SessionLimits {
  /** Sessions alive in the whole store: a create beyond it is refused. */
  maxSessions: number;
  /** Sessions of one identity: a create beyond it evicts that identity's least recently used session. */
  maxPerIdentity: number;
}

export type CreateOutcome = { created: true; evicted: string[] } | { created: false; evicted?: undefined };

export abstract class SessionStore {
  /**
   * Stores a new session. With `limits`, the check and the insert are one atomic step (however
   * many replicas create at once): refused when the store is full, and the identity's least
   * recently used sessions are evicted (and returned) to stay within its cap.
   */
  abstract create(record: SessionRecord, ttlSeconds: number, limits?: SessionLimits): Promise<CreateOutcome>;
  /** The session, or undefined when unknown or expired. */
  abstract get(id: string): Promise<SessionRecord | undefined>;
  /**
   * Marks the session used now (and stores a newer token); extends its idle expiry, and that of its
   * owner's chat mappings when `chatOwner` (the owner's identity key) is given.
   */
  abstract touch(id: string, ttlSeconds: number, token?: string, chatOwner?: string): Promise<void>;
  /** Atomically adds tool names to the enabled set; returns the full set, or undefined if the session is gone. */
  abstract addEnabledTools(id: string, names: string[], ttlSeconds: number): Promise<string[] | undefined>;
  /** Removes the session; returns what it was. */
  abstract delete(id: string): Promise<SessionRecord | undefined>;
  /** Sessions currently alive (for MAX_SESSIONS and metrics). */
  abstract count(): Promise<number>;

  /** Records chat id → session id for an identity; returns the session id it replaced, if any. */
  abstract setChat(identityKey: string, chatId: string, sessionId: string, ttlSeconds: number): Promise<string | undefined>;
  abstract getChats(identityKey: string): Promise<Record<string, string>>;
  /** Removes a chat mapping, but only while it still points at `sessionId`. */
  abstract removeChat(identityKey: string, chatId: string, sessionId: string): Promise<void>;

  /** Throws when the backing store is unreachable (readiness probe). */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}
