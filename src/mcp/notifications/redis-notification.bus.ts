import { Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { BadRequestError, StoreUnavailableError } from '../../common/domain.errors';
import { JsonRpcErrorCode } from '../../common/json-rpc';
import { logConnectionState, redisOptions } from '../../common/redis';
import { BusMessage, EVENTS_KEPT_PER_SESSION, NotificationBus, RecordedEvent, SessionNotification } from './notification.bus';

const STREAM_ID = /^\d{1,15}-\d{1,10}$/;

/** Sets the claim when it is free or already ours (KEYS[1] claim key; ARGV stream id, ttl ms). */
const CLAIM_IF_FREE = `local held = redis.call('GET', KEYS[1])
if held == false or held == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;
/** Deletes the claim only when it is ours. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * A message the bus cannot serialise (nested too deep for `JSON.stringify`, say): a client's bad
 * request, answered as one, not an unhandled 500.
 */
export class UnrelayableMessageError extends BadRequestError {
  constructor(cause: unknown) {
    super(
      `Invalid Request: the message cannot be relayed to the replica that holds the session (${cause instanceof Error ? cause.message : String(cause)}).`,
      JsonRpcErrorCode.InvalidRequest,
    );
    this.cause = cause;
  }
}

/**
 * The notification bus over Redis pub/sub: every replica receives every message and keeps what it
 * holds. Each session's recent notifications live in a Redis stream (`<prefix>events:<session>`,
 * capped at ${EVENTS_KEPT_PER_SESSION} entries, expiring with the session's idle TTL); the stream
 * entry id is the SSE event id, so any replica can replay after it. The stream that receives a
 * session's notifications holds `<prefix>stream:<session>` (a key with a TTL its holder refreshes).
 */
export class RedisNotificationBus extends NotificationBus implements OnModuleDestroy {
  private readonly logger = new Logger(RedisNotificationBus.name);
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  private readonly handlers: Array<(m: BusMessage) => void> = [];

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly eventTtlSeconds: number,
  ) {
    super();
    const { options, display } = redisOptions(url);
    this.channel = `${prefix}bus`;
    this.pub = new Redis(url, options);
    // The subscriber keeps its subscription across reconnects (ioredis re-subscribes on its own).
    this.sub = new Redis(url, { ...options, enableOfflineQueue: true, maxRetriesPerRequest: null });
    for (const c of [this.pub, this.sub]) logConnectionState(c, this.logger, display);
    this.sub.subscribe(this.channel).catch((err: Error) => this.logger.error(`Cannot subscribe to ${this.channel}: ${err.message}`));
    this.sub.on('message', (channel: string, payload: string) => {
      if (channel !== this.channel) return;
      let message: BusMessage;
      try {
        message = JSON.parse(payload) as BusMessage;
      } catch {
        return;
      }
      if (!message || typeof message.sessionId !== 'string') return;
      for (const h of this.handlers) h(message);
    });
  }

  /** Rejects with UnrelayableMessageError (400) for a message JSON cannot hold, StoreUnavailableError (503) when Redis fails. */
  async publish(message: BusMessage): Promise<void> {
    let payload: string;
    try {
      payload = JSON.stringify(message);
    } catch (err) {
      this.logger.warn(`Cannot relay a ${message.kind ?? 'notify'} message: ${(err as Error).message}`);
      throw new UnrelayableMessageError(err);
    }
    try {
      await this.pub.publish(this.channel, payload);
    } catch (err) {
      this.logger.error(`Cannot publish to ${this.channel}: ${(err as Error).message}`);
      throw new StoreUnavailableError({ cause: err });
    }
  }

  subscribe(handler: (message: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  private eventsKey(sessionId: string): string {
    return `${this.prefix}events:${sessionId}`;
  }

  async record(sessionId: string, message: SessionNotification['message']): Promise<string> {
    const key = this.eventsKey(sessionId);
    const [[addError, id], [expireError]] = (await this.pub
      .multi()
      .xadd(key, 'MAXLEN', String(EVENTS_KEPT_PER_SESSION), '*', 'm', JSON.stringify(message))
      .expire(key, this.eventTtlSeconds)
      .exec()) as [[Error | null, string], [Error | null, unknown]];
    if (addError ?? expireError) throw addError ?? expireError;
    return id;
  }

  async since(sessionId: string, eventId: string): Promise<RecordedEvent[]> {
    if (!STREAM_ID.test(eventId)) return [];
    const entries = (await this.pub.xrange(this.eventsKey(sessionId), `(${eventId}`, '+', 'COUNT', EVENTS_KEPT_PER_SESSION)) as Array<[string, string[]]>;
    const events: RecordedEvent[] = [];
    for (const [id, fields] of entries) {
      const raw = fields[fields.indexOf('m') + 1];
      try {
        events.push({ id, message: JSON.parse(raw) as RecordedEvent['message'] });
      } catch {
        /* not ours; skip */
      }
    }
    return events;
  }

  async forget(sessionId: string): Promise<void> {
    await this.pub.del(this.eventsKey(sessionId), this.claimKey(sessionId));
  }

  private claimKey(sessionId: string): string {
    return `${this.prefix}stream:${sessionId}`;
  }

  async claimStream(sessionId: string, streamId: string, ttlMs: number, onlyIfFree: boolean): Promise<boolean> {
    const key = this.claimKey(sessionId);
    if (!onlyIfFree) {
      await this.pub.set(key, streamId, 'PX', ttlMs);
      return true;
    }
    return (await this.pub.eval(CLAIM_IF_FREE, 1, key, streamId, String(ttlMs))) === 1;
  }

  async releaseStream(sessionId: string, streamId: string): Promise<void> {
    await this.pub.eval(RELEASE, 1, this.claimKey(sessionId), streamId);
  }

  async streamOf(sessionId: string): Promise<string | undefined> {
    return (await this.pub.get(this.claimKey(sessionId))) ?? undefined;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.pub, this.sub].map((c) => c.quit().catch(() => c.disconnect())));
  }
}
