import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { CreateOutcome, SessionLimits, SessionStore } from './session.store';
import type { SessionRecord } from './session.types';

interface Stored {
  record: SessionRecord;
  expiresAt: number;
}

/** Single-process session store: a Map with idle expiry, swept periodically so memory returns. */
@Injectable()
export class MemorySessionStore extends SessionStore implements OnModuleDestroy {
  private readonly sessions = new Map<string, Stored>();
  private readonly chats = new Map<string, Map<string, string>>();
  /**
   * identity key → ids of its sessions, least recently used first (a touch moves an id to the end),
   * for the per-identity cap. With one idle TTL for every session (the server's), this is also
   * earliest expiry first: a create finds the expired and the ones to evict at the front instead of
   * sorting them all.
   */
  private readonly byIdentity = new Map<string, Set<string>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = 30_000) {
    super();
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweeper.unref();
  }

  private live(id: string): Stored | undefined {
    const stored = this.sessions.get(id);
    if (!stored) return undefined;
    if (stored.expiresAt <= Date.now()) {
      this.drop(id, stored.record);
      return undefined;
    }
    return stored;
  }

  /**
   * How many live sessions an identity has. Its expired sessions are dropped from the front of its set
   * (least recently used first); only when that leaves it at `cap` are the others checked too (a
   * session created with a shorter TTL may expire before older ones), so below the cap a create
   * costs O(1), not a pass over the identity's sessions.
   */
  private liveOf(identityKey: string, cap: number): number {
    const mine = this.byIdentity.get(identityKey);
    if (!mine) return 0;
    for (const id of mine) if (this.live(id)) break;
    if (mine.size >= cap) for (const id of mine) this.live(id);
    return this.byIdentity.get(identityKey)?.size ?? 0;
  }

  /** Moves a session to the most recently used end of its identity's set. */
  private markUsed(record: SessionRecord): void {
    const mine = this.byIdentity.get(record.identityKey);
    if (mine?.delete(record.id)) mine.add(record.id);
  }

  private drop(id: string, record: SessionRecord): void {
    this.sessions.delete(id);
    const mine = this.byIdentity.get(record.identityKey);
    mine?.delete(id);
    if (mine && mine.size === 0) this.byIdentity.delete(record.identityKey);
    if (record.chatId) {
      const map = this.chats.get(record.identityKey);
      if (map?.get(record.chatId) === id) map.delete(record.chatId);
      if (map && map.size === 0) this.chats.delete(record.identityKey);
    }
  }

  sweep(): void {
    const now = Date.now();
    for (const [id, stored] of this.sessions) if (stored.expiresAt <= now) this.drop(id, stored.record);
  }

  /** Synchronous from check to insert, so concurrent creates cannot overshoot the caps. */
  async create(record: SessionRecord, ttlSeconds: number, limits?: SessionLimits): Promise<CreateOutcome> {
    const evicted: string[] = [];
    if (limits) {
      const live = this.liveOf(record.identityKey, limits.maxPerIdentity);
      const over = Math.max(0, live - limits.maxPerIdentity + 1);
      if (this.sessions.size > limits.maxSessions - 1 + over) this.sweep();
      if (this.sessions.size - over >= limits.maxSessions) return { created: false };
      for (const id of this.byIdentity.get(record.identityKey) ?? []) {
        if (evicted.length === over) break;
        evicted.push(id);
      }
      for (const id of evicted) this.drop(id, this.sessions.get(id)!.record);
    }
    this.sessions.set(record.id, { record: { ...record, enabledTools: [...record.enabledTools] }, expiresAt: Date.now() + ttlSeconds * 1000 });
    let mine = this.byIdentity.get(record.identityKey);
    if (!mine) {
      mine = new Set();
      this.byIdentity.set(record.identityKey, mine);
    }
    mine.add(record.id);
    return { created: true, evicted };
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const stored = this.live(id);
    return stored ? { ...stored.record, enabledTools: [...stored.record.enabledTools] } : undefined;
  }

  async touch(id: string, ttlSeconds: number, token?: string, _chatOwner?: string): Promise<void> {
    const stored = this.live(id);
    if (!stored) return;
    const now = Date.now();
    stored.record.lastUsedAt = now;
    if (token) stored.record.token = token;
    stored.expiresAt = now + ttlSeconds * 1000;
    this.markUsed(stored.record);
  }

  async addEnabledTools(id: string, names: string[], ttlSeconds: number): Promise<string[] | undefined> {
    const stored = this.live(id);
    if (!stored) return undefined;
    const set = new Set(stored.record.enabledTools);
    for (const n of names) set.add(n);
    stored.record.enabledTools = [...set];
    stored.expiresAt = Date.now() + ttlSeconds * 1000;
    this.markUsed(stored.record);
    return [...stored.record.enabledTools];
  }

  async delete(id: string): Promise<SessionRecord | undefined> {
    const stored = this.sessions.get(id);
    if (!stored) return undefined;
    this.drop(id, stored.record);
    return stored.record;
  }

  async count(): Promise<number> {
    if (this.sessions.size > 0) this.sweep();
    return this.sessions.size;
  }

  async setChat(identityKey: string, chatId: string, sessionId: string, _ttlSeconds?: number): Promise<string | undefined> {
    let map = this.chats.get(identityKey);
    if (!map) {
      map = new Map();
      this.chats.set(identityKey, map);
    }
    const previous = map.get(chatId);
    map.set(chatId, sessionId);
    return previous !== sessionId ? previous : undefined;
  }

  async getChats(identityKey: string): Promise<Record<string, string>> {
    const map = this.chats.get(identityKey);
    const out: Record<string, string> = {};
    if (!map) return out;
    for (const [chatId, sessionId] of map) {
      if (this.live(sessionId)) out[chatId] = sessionId;
      else map.delete(chatId);
    }
    return out;
  }

  async removeChat(identityKey: string, chatId: string, sessionId: string): Promise<void> {
    const map = this.chats.get(identityKey);
    if (map?.get(chatId) === sessionId) map.delete(chatId);
    if (map && map.size === 0) this.chats.delete(identityKey);
  }

  async ping(): Promise<void> {
    return;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }
}
