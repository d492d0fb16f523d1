import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { hashedSessionRef } from '../../common/logging/session-log-ref';
import { BusMessage, NotificationBus, RecordedEvent, SessionNotification } from './notification.bus';

/** A live server→client stream of one session on this replica. */
export interface SessionStream {
  /** `eventId`: the notification's id in the session's event log (for `Last-Event-ID` on reconnect). */
  send(message: SessionNotification['message'], eventId?: string): void;
  close(): void;
}

const MAX_STREAMS_PER_SESSION = 4;

/** The session streams this replica holds (GET /mcp and legacy SSE), fed by the notification bus. */
@Injectable()
export class NotificationHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationHub.name);
  private readonly streams = new Map<string, Set<SessionStream>>();

  constructor(private readonly bus: NotificationBus) {}

  onModuleInit(): void {
    this.bus.subscribe((m: BusMessage) => {
      if (m.kind === undefined || m.kind === 'notify') this.deliver(m);
      else if (m.kind === 'closed') this.endStreams(m.sessionId);
    });
  }

  get openStreams(): number {
    let n = 0;
    for (const set of this.streams.values()) n += set.size;
    return n;
  }

  /** Registers a stream; returns false when the session already has too many. */
  attach(sessionId: string, stream: SessionStream): boolean {
    let set = this.streams.get(sessionId);
    if (!set) {
      set = new Set();
      this.streams.set(sessionId, set);
    }
    if (set.size >= MAX_STREAMS_PER_SESSION) return false;
    set.add(stream);
    return true;
  }

  detach(sessionId: string, stream: SessionStream): void {
    const set = this.streams.get(sessionId);
    if (!set) return;
    set.delete(stream);
    if (set.size === 0) this.streams.delete(sessionId);
  }

  /**
   * Records the notification in the session's event log (for replay after a reconnect) and sends
   * it to every replica's streams of the session. A failing log (Redis down) still sends it, without an id.
   */
  async publish(sessionId: string, method: string): Promise<void> {
    const message = { jsonrpc: '2.0' as const, method };
    let eventId: string | undefined;
    try {
      eventId = await this.bus.record(sessionId, message);
    } catch (err) {
      this.logger.warn(`Could not record a notification of session ${hashedSessionRef(sessionId)} for replay: ${(err as Error).message}`);
    }
    await this.bus.publish({ kind: 'notify', sessionId, message, ...(eventId ? { eventId } : {}) });
  }

  /** The session's notifications after `eventId`, for a stream reopened with `Last-Event-ID`. */
  since(sessionId: string, eventId: string): Promise<RecordedEvent[]> {
    return this.bus.since(sessionId, eventId);
  }

  /** Ends the session's streams on every replica and forgets its events (session deleted). */
  async closeSession(sessionId: string): Promise<void> {
    this.endStreams(sessionId);
    await Promise.all([
      this.bus
        .forget(sessionId)
        .catch((err: Error) => this.logger.debug(`Could not drop the events of session ${hashedSessionRef(sessionId)}: ${err.message}`)),
      this.bus
        .publish({ kind: 'closed', sessionId })
        .catch((err: Error) => this.logger.warn(`Could not tell other replicas that session ${hashedSessionRef(sessionId)} closed: ${err.message}`)),
    ]);
  }

  private endStreams(sessionId: string): void {
    const set = this.streams.get(sessionId);
    if (!set) return;
    this.streams.delete(sessionId);
    for (const s of set) s.close();
  }

  private deliver(n: SessionNotification): void {
    const set = this.streams.get(n.sessionId);
    if (!set) return;
    for (const s of set) {
      try {
        s.send(n.message, n.eventId);
      } catch (err) {
        this.logger.debug(`Dropping notification for a closed stream: ${(err as Error).message}`);
      }
    }
  }

  /** Streams end before the HTTP server closes (it would otherwise wait for them forever). */
  beforeApplicationShutdown(): void {
    for (const [id] of this.streams) this.endStreams(id);
  }
}
