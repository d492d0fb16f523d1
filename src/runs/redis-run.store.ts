import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { logConnectionState, redisOptions, waitReady } from '../common/redis';
import { RunLimits, RunStore, StoredRun, parseOutcome } from './run.store';

/**
 * Adds a running entry within the owner's cap. KEYS: run hash, owner index (ZSET runId → created).
 * ARGV: runId, owner, now, running ttl, max per identity, key prefix. Index members whose hash has
 * expired are dropped; at the cap the oldest finished run goes; with all running, 0 (refused).
 */
const CREATE = `
local members = redis.call('ZRANGE', KEYS[2], 0, -1)
local live = 0
local done = {}
for _, id in ipairs(members) do
  local status = redis.call('HGET', ARGV[6] .. 'run:' .. id, 'status')
  if not status then
    redis.call('ZREM', KEYS[2], id)
  else
    live = live + 1
    if status == 'done' then done[#done + 1] = id end
  end
end
local max = tonumber(ARGV[5])
local i = 1
while live >= max do
  if i > #done then return 0 end
  redis.call('DEL', ARGV[6] .. 'run:' .. done[i])
  redis.call('ZREM', KEYS[2], done[i])
  live = live - 1
  i = i + 1
end
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'status', 'running')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
-- Creation order must be strict (two runs in one millisecond): a score above the newest one.
local score = tonumber(ARGV[3])
local newest = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) >= score then score = tonumber(newest[2]) + 1 end
redis.call('ZADD', KEYS[2], score, ARGV[1])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
return 1`;

/** Finishes a run of this owner. KEYS: run hash, owner index. ARGV: owner, outcome, ttl. */
const FINISH = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', 'done', 'outcome', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return 1`;

/**
 * Run handles in Redis, so any replica answers get-action-result (SPEC §18). Keys (under
 * `REDIS_KEY_PREFIX`): `run:<runId>` HASH {owner, status running|done, outcome} expiring with
 * Redis' own PEXPIRE; `runs:<identityKey>` ZSET of the owner's run ids (the per-identity cap).
 * Creates and finishes are Lua scripts (one round trip, atomic; one Redis server, not Cluster).
 */
export class RedisRunStore extends RunStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisRunStore.name);
  private readonly client: Redis;
  private readonly display: string;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly readyTimeoutMs = 5000,
  ) {
    super();
    const { options, display } = redisOptions(url);
    this.display = display;
    this.client = new Redis(url, options);
    logConnectionState(this.client, this.logger, display);
    this.client.defineCommand('runCreate', { numberOfKeys: 2, lua: CREATE });
    this.client.defineCommand('runFinish', { numberOfKeys: 2, lua: FINISH });
  }

  /** Waits a few seconds for Redis (commands fail fast while it is not there: a call then waits to its end instead of getting a handle). */
  async onModuleInit(): Promise<void> {
    if (!(await waitReady(this.client, this.readyTimeoutMs))) {
      this.logger.error(`Cannot connect to Redis at ${this.display}; long calls wait to their end (no run handles) until it answers.`);
    }
  }

  private commands(): Redis & {
    runCreate(k1: string, k2: string, runId: string, owner: string, now: number, ttl: number, max: number, prefix: string): Promise<number>;
    runFinish(k1: string, k2: string, owner: string, outcome: string, ttl: number): Promise<number>;
  } {
    return this.client as never;
  }

  private runKey(runId: string): string {
    return `${this.prefix}run:${runId}`;
  }
  private ownerKey(owner: string): string {
    return `${this.prefix}runs:${owner}`;
  }

  async create(owner: string, runId: string, limits: RunLimits): Promise<boolean> {
    const created = await this.commands().runCreate(
      this.runKey(runId),
      this.ownerKey(owner),
      runId,
      owner,
      Date.now(),
      limits.runningTtlMs,
      limits.maxPerIdentity,
      this.prefix,
    );
    return created === 1;
  }

  async finish(owner: string, runId: string, outcome: string, ttlMs: number): Promise<void> {
    await this.commands().runFinish(this.runKey(runId), this.ownerKey(owner), owner, outcome, ttlMs);
  }

  async get(owner: string, runId: string): Promise<StoredRun | undefined> {
    const [storedOwner, status, outcome] = await this.client.hmget(this.runKey(runId), 'owner', 'status', 'outcome');
    if (storedOwner !== owner) return undefined;
    if (status === 'running') return { status: 'running' };
    const parsed = status === 'done' && outcome !== null ? parseOutcome(outcome) : undefined;
    return parsed ? { status: 'done', outcome: parsed } : undefined;
  }

  /** Closed last (after every module's destroy and before-shutdown hooks): stopping runs still store their outcome. */
  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
