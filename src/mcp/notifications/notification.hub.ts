import { randomUUID } from 'node:crypto';
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
/** How long a stream's claim on its session's notifications lasts without a refresh (a dead replica's claims lapse). */
export const STREAM_CLAIM_TTL_MS = 30_000;
/** How often a replica refreshes the claims of the streams it holds (and takes over lapsed ones). */
const STREAM_CLAIM_REFRESH_MS = 10_000;

/**
 * The session streams this replica holds (GET /mcp), fed by the notification bus.
 *
 * Each notification goes to exactly one stream of its session in the whole cluster, as the MCP
 * spec requires (a message is never sent on two streams): the newest GET /mcp stream of the session
 * claims the session's notifications (on any replica; see `NotificationBus.claimStream`), and
 * `publish` sends it there. When the session has no such stream, `publish` says so and the caller
 * sends the notification on the request's own response stream instead.
 */
@Injectable()
export class NotificationHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationHub.name);
  /** Per session, its streams here with their ids, oldest first. */
  private readonly streams = new Map<string, Map<SessionStream, string>>();
  /** Makes this replica's stream ids unique in the cluster. */
  private readonly replicaId = randomUUID();
  private nextStream = 1;
  private refresher?: NodeJS.Timeout;

  constructor(private readonly bus: NotificationBus) {}

  onModuleInit(): void {
    this.bus.subscribe((m: BusMessage) => {
      if (m.kind === undefined || m.kind === 'notify') this.deliver(m);
      else if (m.kind === 'closed') this.endStreams(m.sessionId);
      else if (m.kind === 'stream-free') this.takeOver(m.sessionId);
    });
    this.refresher = setInterval(() => this.refreshClaims(), STREAM_CLAIM_REFRESH_MS);
    this.refresher.unref();
  }

  get openStreams(): number {
    let n = 0;
    for (const set of this.streams.values()) n += set.size;
    return n;
  }

  /** Registers a stream (it becomes the one receiving the session's notifications); returns false when the session already has too many. */
  attach(sessionId: string, stream: SessionStream): boolean {
    let set = this.streams.get(sessionId);
    if (!set) {
      set = new Map();
      this.streams.set(sessionId, set);
    }
    if (set.size >= MAX_STREAMS_PER_SESSION) return false;
    const streamId = `${this.replicaId}/${this.nextStream++}`;
    set.set(stream, streamId);
    void this.claim(sessionId, streamId, false);
    return true;
  }

  detach(sessionId: string, stream: SessionStream): void {
    const set = this.streams.get(sessionId);
    const streamId = set?.get(stream);
    if (!set || streamId === undefined) return;
    set.delete(stream);
    if (set.size === 0) this.streams.delete(sessionId);
    void this.bus
      .releaseStream(sessionId, streamId)
      .then(() => {
        // Another stream of the session here takes over, else one on another replica, unless a newer one already has.
        if (this.streams.has(sessionId)) return this.takeOver(sessionId);
        return this.bus.publish({ kind: 'stream-free', sessionId });
      })
      .catch((err: Error) => this.logger.debug(`Could not release a stream of session ${hashedSessionRef(sessionId)}: ${err.message}`));
  }

  /**
   * Sends a notification to the session's one notification stream, wherever in the cluster it is,
   * and records it in the session's event log (for replay after a reconnect with `Last-Event-ID`).
   * Resolves false, sending nothing, when the session has no such stream (or the bus cannot be
   * reached): the caller then sends it on the request's own response stream.
   */
  async publish(sessionId: string, method: string): Promise<boolean> {
    let stream: string | undefined;
    try {
      stream = await this.bus.streamOf(sessionId);
    } catch (err) {
      this.logger.warn(`Could not look up the stream of session ${hashedSessionRef(sessionId)}: ${(err as Error).message}`);
      return false;
    }
    if (stream === undefined) return false;
    const message = { jsonrpc: '2.0' as const, method };
    let eventId: string | undefined;
    try {
      eventId = await this.bus.record(sessionId, message);
    } catch (err) {
      this.logger.warn(`Could not record a notification of session ${hashedSessionRef(sessionId)} for replay: ${(err as Error).message}`);
    }
    try {
      await this.bus.publish({ kind: 'notify', sessionId, message, stream, ...(eventId ? { eventId } : {}) });
    } catch (err) {
      this.logger.warn(`Could not send a notification to the stream of session ${hashedSessionRef(sessionId)}: ${(err as Error).message}`);
      return false;
    }
    return true;
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

  private newest(sessionId: string): [SessionStream, string] | undefined {
    const set = this.streams.get(sessionId);
    if (!set) return undefined;
    let last: [SessionStream, string] | undefined;
    for (const entry of set) last = entry;
    return last;
  }

  private async claim(sessionId: string, streamId: string, onlyIfFree: boolean): Promise<void> {
    try {
      await this.bus.claimStream(sessionId, streamId, STREAM_CLAIM_TTL_MS, onlyIfFree);
    } catch (err) {
      this.logger.debug(`Could not claim the notifications of session ${hashedSessionRef(sessionId)}: ${(err as Error).message}`);
    }
  }

  /** Claims the session's notifications for its newest stream here, unless a live stream holds them. */
  private takeOver(sessionId: string): Promise<void> {
    const newest = this.newest(sessionId);
    return newest ? this.claim(sessionId, newest[1], true) : Promise.resolve();
  }

  /** Keeps this replica's claims alive, and takes over lapsed ones of sessions it holds streams of. */
  private refreshClaims(): void {
    for (const sessionId of this.streams.keys()) void this.takeOver(sessionId);
  }

  private endStreams(sessionId: string): void {
    const set = this.streams.get(sessionId);
    if (!set) return;
    this.streams.delete(sessionId);
    for (const [s, streamId] of set) {
      s.close();
      void this.bus.releaseStream(sessionId, streamId).catch(() => undefined);
    }
  }

  private deliver(n: SessionNotification): void {
    const set = this.streams.get(n.sessionId);
    if (!set) return;
    let target: SessionStream | undefined;
    if (n.stream === undefined) target = this.newest(n.sessionId)?.[0];
    else for (const [s, id] of set) if (id === n.stream) target = s;
    if (!target) return;
    try {
      target.send(n.message, n.eventId);
    } catch (err) {
      this.logger.debug(`Dropping notification for a closed stream: ${(err as Error).message}`);
    }
  }

  /** Streams end before the HTTP server closes (it would otherwise wait for them forever). */
  beforeApplicationShutdown(): void {
    if (this.refresher) clearInterval(this.refresher);
    for (const [id] of this.streams) this.endStreams(id);
  }
}
