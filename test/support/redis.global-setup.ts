import { displayRedisUrl, findRedisServer, HOW_TO_GET_REDIS, pingRedis, RedisServer, startRedisServer } from './redis-server';

/** The redis-server this run started, for redis.global-teardown.ts (same process). */
export const STARTED_REDIS = Symbol.for('mcp-tests.started-redis');
type WithStartedRedis = typeof globalThis & { [STARTED_REDIS]?: RedisServer };

/** An error Jest prints as its message alone (no stack: the message says everything). */
function noRedis(message: string): Error {
  const err = new Error(message);
  err.stack = message;
  return err;
}

const say = (line: string) => process.stderr.write(`\n[test redis] ${line}\n`);
/** Said with an existing Redis: the scale-out tests that kill and restart a Redis still start their own. */
const noBinaryNote = () =>
  findRedisServer() ? '' : '; no redis-server on PATH, so the tests that kill and restart a Redis of their own will fail (apt-get install redis-server)';

/**
 * Jest globalSetup: gives every test a Redis in `TEST_REDIS_URL` (read by the Redis-using specs
 * through `testRedisUrl()`), so `npm test` runs on a machine with or without one:
 *
 * 1. `TEST_REDIS_URL` set: used as it is (checked with PING; fails at once when it does not answer).
 * 2. Else Redis on 127.0.0.1:6379 answers PING: used.
 * 3. Else a `redis-server` on PATH: started on a free port of 127.0.0.1 without persistence
 *    (`--save "" --appendonly no`), exported to the workers, stopped by redis.global-teardown.ts.
 * 4. Else: fails at once with one line saying how to get one.
 *
 * `TEST_REDIS_PROBE_URL` replaces the address probed in step 2 — meant for testing this file on a
 * machine that does have a Redis on 6379: `TEST_REDIS_PROBE_URL=redis://127.0.0.1:1 npm test` takes
 * step 3, and the same with a PATH lacking redis-server takes step 4.
 */
export default async function redisGlobalSetup(): Promise<void> {
  const given = process.env.TEST_REDIS_URL;
  if (given) {
    const answer = await pingRedis(given, 2000);
    if (!answer.ok)
      throw noRedis(
        `TEST_REDIS_URL=${displayRedisUrl(given)} does not answer PING (${answer.error}); start that Redis, or unset TEST_REDIS_URL to use 127.0.0.1:6379 or a redis-server started for the run.`,
      );
    say(`using TEST_REDIS_URL=${displayRedisUrl(given)}${noBinaryNote()}`);
    return;
  }

  const probe = process.env.TEST_REDIS_PROBE_URL || 'redis://127.0.0.1:6379';
  const probed = await pingRedis(probe);
  if (probed.ok) {
    process.env.TEST_REDIS_URL = probe;
    say(`using the Redis answering on ${displayRedisUrl(probe)}${noBinaryNote()}`);
    return;
  }

  if (!findRedisServer()) {
    throw noRedis(
      `The tests need a Redis: TEST_REDIS_URL is not set, nothing answers PING on ${displayRedisUrl(probe)} (${probed.error}) and there is no redis-server on PATH to start one; ${HOW_TO_GET_REDIS}.`,
    );
  }
  let server: RedisServer;
  try {
    server = await startRedisServer({ persistent: false });
  } catch (err) {
    throw noRedis(
      `The tests need a Redis: nothing answers on ${displayRedisUrl(probe)} and starting redis-server failed (${(err as Error).message}); ${HOW_TO_GET_REDIS}.`,
    );
  }
  (globalThis as WithStartedRedis)[STARTED_REDIS] = server;
  // Should Jest exit without running the teardown (an error in another globalSetup, say), do not leave it running.
  process.once('exit', () => void server.stop());
  process.env.TEST_REDIS_URL = server.url;
  say(`nothing answers on ${displayRedisUrl(probe)}: started redis-server on ${server.url} for this run (no persistence)`);
}
