import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { logConnectionState, redisOptions, waitReady } from '../common/redis';
import { CreateOutcome, SessionLimits, SessionStore } from './session.store';
import type { SessionRecord } from './session.types';

/**
 * Creates a session within the caps, atomically: expired index entries are dropped, the create is
 * refused (false) when the store is full, and the owner's least recently used sessions (lowest
 * expiry in its per-identity index) are evicted to stay within its cap; returns the evicted ids.
 * KEYS: session hash, global index, identity index. ARGV: now, ttl, id, data, token, max, max per
 * identity, key prefix, owner, lastUsedAt.
 */
const CREATE = `
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local over = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[7]) + 1
if over < 0 then over = 0 end
if redis.call('ZCARD', KEYS[2]) - over >= tonumber(ARGV[6]) then return false end
local evicted = {}
if over > 0 then
  for _, sid in ipairs(redis.call('ZRANGE', KEYS[3], 0, over - 1)) do
    redis.call('DEL', ARGV[8] .. 's:' .. sid, ARGV[8] .. 's:' .. sid .. ':t', ARGV[8] .. 'events:' .. sid)
    redis.call('ZREM', KEYS[2], sid)
    redis.call('ZREM', KEYS[3], sid)
    evicted[#evicted + 1] = sid
  end
end
redis.call('HSET', KEYS[1], 'data', ARGV[4], 'token', ARGV[5], 'lastUsedAt', ARGV[10], 'owner', ARGV[9])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[3])
redis.call('ZADD', KEYS[3], now + ttl, ARGV[3])
if redis.call('PTTL', KEYS[3]) < ttl then redis.call('PEXPIRE', KEYS[3], ttl) end
return evicted`;

const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'token', ARGV[4]) end
redis.call('HSET', KEYS[1], 'lastUsedAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], tonumber(ARGV[2]) + tonumber(ARGV[1]), ARGV[3])
if ARGV[5] == '1' and redis.call('PTTL', KEYS[4]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[4], ARGV[1]) end
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner then
  local mine = ARGV[6] .. 'i:' .. owner
  redis.call('ZADD', mine, tonumber(ARGV[2]) + tonumber(ARGV[1]), ARGV[3])
  if redis.call('PTTL', mine) < tonumber(ARGV[1]) then redis.call('PEXPIRE', mine, ARGV[1]) end
end
return 1`;

const ADD_TOOLS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
for i = 3, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], tonumber(ARGV[2]) + tonumber(ARGV[1]), string.sub(KEYS[1], string.len(KEYS[4]) + 1))
return redis.call('SMEMBERS', KEYS[2])`;

const SET_CHAT = `
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return previous`;

const REMOVE_CHAT = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`;

interface StoredHash {
  data?: string;
  token?: string;
  lastUsedAt?: string;
}

/**
 * Sessions in Redis, so that every replica serves every session. Keys (under `REDIS_KEY_PREFIX`):
 * `s:<id>` HASH {data (JSON), token, lastUsedAt, owner}, `s:<id>:t` SET of enabled tools, `sessions`
 * ZSET of id → expiry (for `count` and `MAX_SESSIONS`), `i:<identityKey>` ZSET of the identity's ids →
 * expiry (for `MAX_SESSIONS_PER_IDENTITY`), `c:<identityKey>` HASH chatId → sessionId. Idle expiry is
 * Redis' own PEXPIRE; racy updates and capped creates are Lua scripts (one Redis server, not Cluster:
 * the scripts touch keys derived from the owner); every operation is one round trip.
 */
export class RedisSessionStore extends SessionStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RedisSessionStore.name);
  readonly client: Redis;
  private readonly display: string;

  /** How long `onModuleInit` waits for Redis before saying it is unavailable (tests pointing at a dead Redis use less). */
  private readonly readyTimeoutMs: number;

  constructor(
    url: string,
    private readonly prefix: string,
    settings: { readyTimeoutMs?: number } = {},
  ) {
    super();
    this.readyTimeoutMs = settings.readyTimeoutMs ?? 5000;
    const { options, display } = redisOptions(url);
    this.display = display;
    this.client = new Redis(url, options);
    logConnectionState(this.client, this.logger, this.display);
    this.client.defineCommand('mcpCreate', { numberOfKeys: 3, lua: CREATE });
    this.client.defineCommand('mcpTouch', { numberOfKeys: 4, lua: TOUCH });
    this.client.defineCommand('mcpAddTools', { numberOfKeys: 4, lua: ADD_TOOLS });
    this.client.defineCommand('mcpSetChat', { numberOfKeys: 1, lua: SET_CHAT });
    this.client.defineCommand('mcpRemoveChat', { numberOfKeys: 1, lua: REMOVE_CHAT });
  }

  /** Waits a few seconds for Redis; when it is not there, says so clearly and keeps trying (readiness fails meanwhile). */
  async onModuleInit(): Promise<void> {
    if (!(await waitReady(this.client, this.readyTimeoutMs))) {
      this.logger.error(`Cannot connect to Redis at ${this.display}; sessions are unavailable until it answers (/health/ready reports 503).`);
    }
  }

  private key(id: string): string {
    return `${this.prefix}s:${id}`;
  }
  private toolsKey(id: string): string {
    return `${this.prefix}s:${id}:t`;
  }
  private get indexKey(): string {
    return `${this.prefix}sessions`;
  }
  private chatKey(identityKey: string): string {
    return `${this.prefix}c:${identityKey}`;
  }
  private identityKey(identityKey: string): string {
    return `${this.prefix}i:${identityKey}`;
  }

  private commands(): Redis & {
    mcpCreate(
      k1: string,
      k2: string,
      k3: string,
      now: number,
      ttl: number,
      id: string,
      data: string,
      token: string,
      max: number,
      maxPerIdentity: number,
      prefix: string,
      owner: string,
      lastUsedAt: number,
    ): Promise<string[] | null>;
    mcpTouch(
      k1: string,
      k2: string,
      k3: string,
      k4: string,
      ttl: number,
      now: number,
      id: string,
      token: string,
      chat: '0' | '1',
      prefix: string,
    ): Promise<number>;
    mcpAddTools(k1: string, k2: string, k3: string, k4: string, ttl: number, now: number, ...names: string[]): Promise<string[] | null>;
    mcpSetChat(k: string, chatId: string, sessionId: string, ttl: number): Promise<string | null>;
    mcpRemoveChat(k: string, chatId: string, sessionId: string): Promise<number>;
  } {
    return this.client as never;
  }

  async create(record: SessionRecord, ttlSeconds: number, limits?: SessionLimits): Promise<CreateOutcome> {
    const ttl = ttlSeconds * 1000;
    const { token, lastUsedAt, enabledTools, ...data } = record;
    const evicted = await this.commands().mcpCreate(
      this.key(record.id),
      this.indexKey,
      this.identityKey(record.identityKey),
      Date.now(),
      ttl,
      record.id,
      JSON.stringify(data),
      token,
      limits?.maxSessions ?? Number.MAX_SAFE_INTEGER,
      limits?.maxPerIdentity ?? Number.MAX_SAFE_INTEGER,
      this.prefix,
      record.identityKey,
      lastUsedAt,
    );
    if (evicted === null) return { created: false };
    if (enabledTools.length)
      await this.client
        .multi()
        .sadd(this.toolsKey(record.id), ...enabledTools)
        .pexpire(this.toolsKey(record.id), ttl)
        .exec();
    return { created: true, evicted };
  }

  private static decode(hash: StoredHash, tools: string[]): SessionRecord | undefined {
    if (!hash.data || hash.token === undefined) return undefined;
    const data = JSON.parse(hash.data) as Omit<SessionRecord, 'token' | 'lastUsedAt' | 'enabledTools'>;
    return { ...data, token: hash.token, lastUsedAt: Number(hash.lastUsedAt ?? data.createdAt), enabledTools: tools };
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const results = await this.client.pipeline().hgetall(this.key(id)).smembers(this.toolsKey(id)).exec();
    if (!results) throw new Error('Redis pipeline returned nothing');
    for (const [err] of results) if (err) throw err;
    return RedisSessionStore.decode(results[0][1] as StoredHash, results[1][1] as string[]);
  }

  async touch(id: string, ttlSeconds: number, token?: string, chatOwner?: string): Promise<void> {
    const chatKey = chatOwner ? this.chatKey(chatOwner) : this.key(id);
    await this.commands().mcpTouch(
      this.key(id),
      this.toolsKey(id),
      this.indexKey,
      chatKey,
      ttlSeconds * 1000,
      Date.now(),
      id,
      token ?? '',
      chatOwner ? '1' : '0',
      this.prefix,
    );
  }

  async addEnabledTools(id: string, names: string[], ttlSeconds: number): Promise<string[] | undefined> {
    if (names.length === 0) return (await this.get(id))?.enabledTools;
    const all = await this.commands().mcpAddTools(this.key(id), this.toolsKey(id), this.indexKey, `${this.prefix}s:`, ttlSeconds * 1000, Date.now(), ...names);
    return all ?? undefined;
  }

  async delete(id: string): Promise<SessionRecord | undefined> {
    const results = await this.client
      .multi()
      .hgetall(this.key(id))
      .smembers(this.toolsKey(id))
      .del(this.key(id), this.toolsKey(id))
      .zrem(this.indexKey, id)
      .exec();
    if (!results) throw new Error('Redis transaction aborted');
    const record = RedisSessionStore.decode(results[0][1] as StoredHash, results[1][1] as string[]);
    if (record) await this.client.zrem(this.identityKey(record.identityKey), id);
    return record;
  }

  async count(): Promise<number> {
    const results = await this.client.multi().zremrangebyscore(this.indexKey, '-inf', Date.now()).zcard(this.indexKey).exec();
    if (!results) throw new Error('Redis transaction aborted');
    return Number(results[1][1]);
  }

  async setChat(identityKey: string, chatId: string, sessionId: string, ttlSeconds: number): Promise<string | undefined> {
    const previous = await this.commands().mcpSetChat(this.chatKey(identityKey), chatId, sessionId, ttlSeconds * 1000);
    return previous && previous !== sessionId ? previous : undefined;
  }

  async getChats(identityKey: string): Promise<Record<string, string>> {
    const map = await this.client.hgetall(this.chatKey(identityKey));
    const entries = Object.entries(map);
    if (entries.length === 0) return {};
    const pipeline = this.client.pipeline();
    for (const [, sessionId] of entries) pipeline.exists(this.key(sessionId));
    const exists = (await pipeline.exec()) ?? [];
    const out: Record<string, string> = {};
    const stale: string[] = [];
    entries.forEach(([chatId, sessionId], i) => {
      if (Number(exists[i]?.[1]) === 1) out[chatId] = sessionId;
      else stale.push(chatId);
    });
    // Mappings of expired sessions are dropped lazily (compare-and-delete, so a newer mapping survives).
    await Promise.all(stale.map((chatId) => this.commands().mcpRemoveChat(this.chatKey(identityKey), chatId, map[chatId])));
    return out;
  }

  async removeChat(identityKey: string, chatId: string, sessionId: string): Promise<void> {
    await this.commands().mcpRemoveChat(this.chatKey(identityKey), chatId, sessionId);
  }

  async ping(): Promise<void> {
    if (this.client.status !== 'ready') throw new Error(`Redis at ${this.display} is ${this.client.status}`);
    await this.client.ping();
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }
}
