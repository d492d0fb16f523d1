import { LRUCache } from 'lru-cache';
import { Injectable } from '@nestjs/common';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** A server→client notification for a session's streams. */
export interface SessionNotification {
  kind?: 'notify';
  sessionId: string;
  message: { jsonrpc: '2.0'; method: string; params?: Record<string, unknown> };
  /** Its event id in the session's event log (SSE `id:`), when it was recorded. */
  eventId?: string;
  /**
   * The stream that is to send it (see `NotificationBus.streamOf`); the replica holding that stream
   * delivers it there and nowhere else. Without it, each replica uses its newest stream of the session.
   */
  stream?: string;
}

/** A notification recorded for a session, for replay to a client that reconnects with `Last-Event-ID`. */
export interface RecordedEvent {
  id: string;
  message: SessionNotification['message'];
}

/** How many recent notifications are kept per session for replay. */
export const EVENTS_KEPT_PER_SESSION = 50;

/** Client→server messages of a legacy SSE session, received by a replica that does not hold its stream. */
export interface SseInbound {
  kind: 'sse-inbound';
  sessionId: string;
  messages: JSONRPCMessage[];
}

/** A client's `notifications/cancelled` for a request that may be running on another replica. */
export interface RequestCancel {
  kind: 'cancel';
  sessionId: string;
  requestId: string | number;
  reason?: string;
}

/** A session was closed (DELETE): every replica ends its streams of it. */
export interface SessionClosed {
  kind: 'closed';
  sessionId: string;
}

/** A stream holding a session's notifications closed: a replica with another stream of the session takes them over. */
export interface SessionStreamFree {
  kind: 'stream-free';
  sessionId: string;
}

export type BusMessage = SessionNotification | SseInbound | RequestCancel | SessionClosed | SessionStreamFree;

/**
 * Carries messages to whichever replica holds a session's stream, and keeps each session's recent
 * notifications so a client reconnecting its stream with `Last-Event-ID` gets what it missed (from
 * any replica). The default works in-process; the Redis adapter publishes to every replica and
 * keeps the events in a Redis stream per session.
 */
export abstract class NotificationBus {
  abstract publish(message: BusMessage): Promise<void>;
  abstract subscribe(handler: (message: BusMessage) => void): void;
  /** Records a session's notification; returns its event id (increasing within the session). */
  abstract record(sessionId: string, message: SessionNotification['message']): Promise<string>;
  /** The session's recorded notifications after `eventId` (none for an id it does not know). */
  abstract since(sessionId: string, eventId: string): Promise<RecordedEvent[]>;
  /** Forgets a session's events and its stream claim (session closed). */
  abstract forget(sessionId: string): Promise<void>;

  /**
   * The session's notifications go to exactly one of its streams in the cluster (the MCP spec
   * forbids sending one message on several): the stream holding the session's claim. A claim lasts
   * `ttlMs` unless claimed again (its holder refreshes it while the stream is open), so a replica
   * that dies loses its claims. `onlyIfFree`: take it only when no live stream holds it (or
   * `streamId` already does); otherwise take it whoever holds it (a newer stream wins).
   * Resolves whether `streamId` holds the claim now.
   */
  abstract claimStream(sessionId: string, streamId: string, ttlMs: number, onlyIfFree: boolean): Promise<boolean>;
  /** Drops the session's claim if `streamId` holds it. */
  abstract releaseStream(sessionId: string, streamId: string): Promise<void>;
  /** The stream holding the session's claim, if a live one does. */
  abstract streamOf(sessionId: string): Promise<string | undefined>;
}

/** The most sessions whose events the in-process bus keeps (least recently written are dropped). */
const MAX_SESSIONS_WITH_EVENTS = 10_000;

@Injectable()
export class LocalNotificationBus extends NotificationBus {
  private handlers: Array<(n: BusMessage) => void> = [];
  /** Per session; the sessions written least recently are dropped first. */
  private readonly events = new LRUCache<string, { next: number; kept: RecordedEvent[] }>({ max: MAX_SESSIONS_WITH_EVENTS });
  /** Stream claims per session (bounded like the events: a claim is released when its stream closes). */
  private readonly claims = new LRUCache<string, { streamId: string; expires: number }>({ max: MAX_SESSIONS_WITH_EVENTS });

  async publish(message: BusMessage): Promise<void> {
    for (const h of this.handlers) h(message);
  }

  subscribe(handler: (message: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  async record(sessionId: string, message: SessionNotification['message']): Promise<string> {
    let log = this.events.get(sessionId);
    if (!log) {
      log = { next: 1, kept: [] };
      this.events.set(sessionId, log);
    }
    const id = String(log.next++);
    log.kept.push({ id, message });
    if (log.kept.length > EVENTS_KEPT_PER_SESSION) log.kept.shift();
    return id;
  }

  async since(sessionId: string, eventId: string): Promise<RecordedEvent[]> {
    const log = this.events.peek(sessionId);
    const after = Number(eventId);
    if (!log || !/^\d{1,15}$/.test(eventId) || after >= log.next) return [];
    return log.kept.filter((e) => Number(e.id) > after);
  }

  async forget(sessionId: string): Promise<void> {
    this.events.delete(sessionId);
    this.claims.delete(sessionId);
  }

  async claimStream(sessionId: string, streamId: string, ttlMs: number, onlyIfFree: boolean): Promise<boolean> {
    const held = await this.streamOf(sessionId);
    if (onlyIfFree && held !== undefined && held !== streamId) return false;
    this.claims.set(sessionId, { streamId, expires: Date.now() + ttlMs });
    return true;
  }

  async releaseStream(sessionId: string, streamId: string): Promise<void> {
    if (this.claims.peek(sessionId)?.streamId === streamId) this.claims.delete(sessionId);
  }

  async streamOf(sessionId: string): Promise<string | undefined> {
    const claim = this.claims.get(sessionId);
    if (!claim) return undefined;
    if (claim.expires <= Date.now()) {
      this.claims.delete(sessionId);
      return undefined;
    }
    return claim.streamId;
  }
}
