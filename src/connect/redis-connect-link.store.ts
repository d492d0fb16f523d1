import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { logConnectionState, redisOptions, waitReady } from '../common/redis';
import { ConnectLink, ConnectLinkStore, ConsumeOutcome, graceMs } from './connect-link.store';

/**
 * Stores a link unless its owner holds `max` open ones. KEYS: link, owner's open-link index.
 * ARGV: now, expiresAt, keep (ms the record is kept), id, data, max.
 */
const CREATE = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then return 0 end
redis.call('SET', KEYS[1], ARGV[5], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
local ttl = tonumber(ARGV[2]) - tonumber(ARGV[1])
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1`;

/**
 * Uses a link once: the record is replaced by a "used" marker that lives as long as the record
 * would have. KEYS: link, used marker. Returns the record, 'used', or false.
 */
const CONSUME = `
local data = redis.call('GET', KEYS[1])
if not data then
  if redis.call('EXISTS', KEYS[2]) == 1 then return 'used' end
  return false
end
local keep = redis.call('PTTL', KEYS[1])
if keep < 1 then keep = 1 end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], '1', 'PX', keep)
return data`;

/**
 * Connect links in Redis (the session store's `REDIS_URL` and `REDIS_KEY_PREFIX`), so that any
 * replica serves `GET /connect/<id>`. Keys: `connect:l:<id>` the link (JSON), `connect:u:<id>` a used
 * link's marker, `connect:i:<identityKey>` ZSET of the identity's open links → expiry. Changes of an
 * identity's connections go out on the `connect:changed` channel.
 */
export class RedisConnectLinkStore extends ConnectLinkStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RedisConnectLinkStore.name);
  private readonly client: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  private readonly handlers: Array<(identityKey: string) => void> = [];

  private readonly readyTimeoutMs: number;

  constructor(
    url: string,
    private readonly prefix: string,
    settings: { readyTimeoutMs?: number } = {},
  ) {
    super();
    this.readyTimeoutMs = settings.readyTimeoutMs ?? 5000;
    const { options, display } = redisOptions(url);
    this.client = new Redis(url, options);
    this.sub = new Redis(url, { ...options, enableOfflineQueue: true, maxRetriesPerRequest: null });
    for (const c of [this.client, this.sub]) logConnectionState(c, this.logger, display);
    this.channel = `${prefix}connect:changed`;
    this.sub.subscribe(this.channel).catch((err: Error) => this.logger.error(`Cannot subscribe to ${this.channel}: ${err.message}`));
    this.sub.on('message', (channel: string, identityKey: string) => {
      if (channel !== this.channel || !/^[0-9a-f]{32}$/.test(identityKey)) return;
      for (const h of this.handlers) h(identityKey);
    });
  }

  /** Waits (bounded) for Redis, like the session store: links fail fast while it is away. */
  async onModuleInit(): Promise<void> {
    if (!(await waitReady(this.client, this.readyTimeoutMs))) this.logger.error('Redis is not answering; connect links are unavailable until it does.');
  }

  private linkKey(id: string): string {
    return `${this.prefix}connect:l:${id}`;
  }

  async create(link: ConnectLink, maxOpenPerIdentity: number): Promise<boolean> {
    const now = Date.now();
    const keep = link.expiresAt - now + graceMs(link);
    const created = await this.client.eval(
      CREATE,
      2,
      this.linkKey(link.id),
      `${this.prefix}connect:i:${link.identityKey}`,
      String(now),
      String(link.expiresAt),
      String(keep),
      link.id,
      JSON.stringify(link),
      String(maxOpenPerIdentity),
    );
    return created === 1;
  }

  async consume(id: string): Promise<ConsumeOutcome> {
    const raw = (await this.client.eval(CONSUME, 2, this.linkKey(id), `${this.prefix}connect:u:${id}`)) as string | null;
    if (raw === null) return { state: 'unknown' };
    if (raw === 'used') return { state: 'used' };
    const link = JSON.parse(raw) as ConnectLink;
    // A used link no longer counts against its owner's open links.
    await this.client.zrem(`${this.prefix}connect:i:${link.identityKey}`, id).catch(() => undefined);
    return link.expiresAt <= Date.now() ? { state: 'expired' } : { state: 'ok', link };
  }

  async publishChanged(identityKey: string): Promise<void> {
    await this.client.publish(this.channel, identityKey);
  }

  onChanged(handler: (identityKey: string) => void): void {
    this.handlers.push(handler);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.client, this.sub].map((c) => c.quit().catch(() => c.disconnect())));
  }
}
