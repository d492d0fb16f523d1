import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { sessionsConfig, SessionsConfig } from '../config/app.config';
import { BadRequestError, DomainError, SessionNotFoundError, StoreUnavailableError, TooManySessionsError } from '../common/domain.errors';
import type { AuthContext } from '../auth/identity';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { SessionStore } from './session.store';
import type { SessionRecord, ToolMode, TransportKind } from './session.types';

export interface OpenSessionRequest {
  /** Use this id (the legacy SSE transport picks its own); a random UUID otherwise. */
  id?: string;
  auth: AuthContext;
  mode: ToolMode;
  apps: string[] | null;
  chatId?: string;
  policy?: SessionRecord['policy'];
  transport: TransportKind;
  /** The client's `initialize` protocol version: kept only when it is one we support. */
  protocolVersion?: string;
  /** The client declared URL-mode elicitation (`capabilities.elicitation.url`). */
  clientElicitsUrl?: boolean;
}

const CHAT_ID = /^[\x21-\x7e][\x20-\x7e]{0,255}$/;
/** Our ids are UUIDs; nothing else (e.g. `<id>:t`, another key's name in Redis) reaches the store. */
const SESSION_ID = /^[A-Za-z0-9-]{1,64}$/;
/** The longest a session in use goes without its mark of use being renewed in the store (see touchIntervalMs). */
const MAX_TOUCH_INTERVAL_MS = 60_000;

export interface OpenedSession {
  record: SessionRecord;
  /** Sessions of the same identity evicted to stay within `MAX_SESSIONS_PER_IDENTITY` (their streams should end). */
  evicted: string[];
}

/** Session lifecycle and ownership, over whichever `SessionStore` is configured. */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    private readonly store: SessionStore,
    @Inject(sessionsConfig.KEY) private readonly config: SessionsConfig,
  ) {}

  get idleTtlSeconds(): number {
    return this.config.idleTtlSeconds;
  }

  /**
   * How stale a session's mark of use may get before a request renews it: a tenth of the idle TTL,
   * at most a minute. A session in steady use is written to the store once per interval instead
   * of on every request (with Redis: one round trip and ~10 commands less per call), and an idle
   * session expires between `idleTtlSeconds` minus this interval and `idleTtlSeconds` after its
   * last request.
   */
  get touchIntervalMs(): number {
    return Math.min(MAX_TOUCH_INTERVAL_MS, this.config.idleTtlSeconds * 100);
  }

  /** Whether a request on `record` must write to the store: a new token, or its mark of use is stale. */
  private dueForTouch(record: SessionRecord, newToken: string | undefined): boolean {
    return newToken !== undefined || Date.now() - record.lastUsedAt >= this.touchIntervalMs;
  }

  /** Runs a store operation, turning infrastructure failures into a clear 503. */
  private async guarded<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      this.logger.error(`Session store failure: ${(err as Error).message}`);
      throw new StoreUnavailableError({ cause: err });
    }
  }

  static validateChatId(chatId: string | undefined): string | undefined {
    if (chatId === undefined || chatId === '') return undefined;
    if (!CHAT_ID.test(chatId)) throw new BadRequestError('x-chat-id must be 1-256 printable ASCII characters.');
    return chatId;
  }

  async open(req: OpenSessionRequest): Promise<OpenedSession> {
    const chatId = SessionsService.validateChatId(req.chatId);
    return this.guarded(async () => {
      const now = Date.now();
      const record: SessionRecord = {
        id: req.id ?? randomUUID(),
        identityKey: req.auth.identity.key,
        workspaceKey: req.auth.identity.workspaceKey,
        customerId: req.auth.identity.customerId,
        token: req.auth.token,
        mode: req.mode,
        apps: req.apps,
        enabledTools: [],
        chatId,
        ...(req.policy && (req.policy.readOnly || req.policy.allow.length || req.policy.deny.length) ? { policy: req.policy } : {}),
        transport: req.transport,
        // Client-chosen text is never stored as given (it was up to the body limit in size).
        protocolVersion: req.protocolVersion !== undefined && SUPPORTED_PROTOCOL_VERSIONS.includes(req.protocolVersion) ? req.protocolVersion : undefined,
        ...(req.clientElicitsUrl === true ? { clientElicitsUrl: true as const } : {}),
        createdAt: now,
        lastUsedAt: now,
      };
      const outcome = await this.store.create(record, this.config.idleTtlSeconds, {
        maxSessions: this.config.maxSessions,
        maxPerIdentity: this.config.maxSessionsPerIdentity,
      });
      if (!outcome.created) throw new TooManySessionsError(30);
      if (outcome.evicted.length)
        this.logger.log(`Evicted ${outcome.evicted.length} idle session(s) of identity ${record.identityKey.slice(0, 12)} (MAX_SESSIONS_PER_IDENTITY)`);
      if (chatId) await this.store.setChat(record.identityKey, chatId, record.id, this.config.idleTtlSeconds);
      return { record, evicted: outcome.evicted };
    });
  }

  /**
   * The caller's session. Unknown, expired and other identities' sessions all answer the same
   * `SessionNotFoundError`. Marks the session used and keeps the newest token of the owner.
   */
  async load(id: string | undefined, auth: AuthContext, verify?: (stored: SessionRecord) => Promise<void>): Promise<SessionRecord> {
    if (!id || !SESSION_ID.test(id)) throw new SessionNotFoundError();
    return this.guarded(async () => {
      const record = await this.store.get(id);
      if (!record || record.identityKey !== auth.identity.key) throw new SessionNotFoundError();
      // The caller's claims are checked (e.g. with Integration.app) before they change anything stored.
      if (verify) await verify(record);
      const newToken = record.token !== auth.token ? auth.token : undefined;
      if (this.dueForTouch(record, newToken)) {
        await this.store.touch(id, this.config.idleTtlSeconds, newToken, record.chatId ? record.identityKey : undefined);
        if (newToken) record.token = newToken;
        record.lastUsedAt = Date.now();
      }
      return record;
    });
  }

  /** Reads a session without touching it (the owner check still applies). */
  async peek(id: string, identityKey: string): Promise<SessionRecord | undefined> {
    return this.guarded(async () => {
      const record = await this.store.get(id);
      return record && record.identityKey === identityKey ? record : undefined;
    });
  }

  /** Reads a session by its id alone — for callers that prove possession of the id itself (legacy SSE). */
  async peekAny(id: string): Promise<SessionRecord | undefined> {
    if (!SESSION_ID.test(id)) return undefined;
    return this.guarded(() => this.store.get(id));
  }

  /** Marks a session used without an ownership check (the caller holds its live stream); a no-op while its mark is fresh. */
  async touch(record: SessionRecord): Promise<void> {
    if (!this.dueForTouch(record, undefined)) return;
    await this.guarded(() => this.store.touch(record.id, this.config.idleTtlSeconds, undefined, record.chatId ? record.identityKey : undefined));
  }

  async enableTools(id: string, names: string[]): Promise<string[]> {
    return this.guarded(async () => {
      const all = await this.store.addEnabledTools(id, names, this.config.idleTtlSeconds);
      if (!all) throw new SessionNotFoundError();
      return all;
    });
  }

  /** Ends the caller's session and removes its chat mapping. */
  async close(id: string | undefined, auth: AuthContext): Promise<SessionRecord> {
    const record = await this.load(id, auth);
    await this.guarded(async () => {
      await this.store.delete(record.id);
      if (record.chatId) await this.store.removeChat(record.identityKey, record.chatId, record.id);
    });
    return record;
  }

  async chats(auth: AuthContext): Promise<Record<string, string>> {
    return this.guarded(() => this.store.getChats(auth.identity.key));
  }

  async count(): Promise<number> {
    return this.guarded(() => this.store.count());
  }
}
