import { spawn, ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './server-process';

/** How to get a Redis for the tests, said wherever one is missing. */
export const HOW_TO_GET_REDIS = 'install one (apt-get install redis-server, or brew install redis) or set TEST_REDIS_URL=redis://host:port';

/**
 * The Redis every Redis-using test talks to: `TEST_REDIS_URL`, which the Jest globalSetup
 * (test/support/redis.global-setup.ts) always sets before any test runs.
 */
export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url)
    throw new Error(
      `TEST_REDIS_URL is not set: run the tests through jest.config.js (npm test), whose globalSetup finds or starts a Redis, or ${HOW_TO_GET_REDIS}`,
    );
  return url;
}

/** A Redis URL fit for a log line or an error message (no password). */
export function displayRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

/** The `redis-server` executable on PATH, or undefined. */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Whether the Redis at `url` answers PING within `timeoutMs`; the error when it does not. */
export async function pingRedis(url: string, timeoutMs = 1000): Promise<{ ok: true } | { ok: false; error: string }> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let connectionError: Error | undefined;
  probe.on('error', (err: Error) => (connectionError ??= err));
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG' ? { ok: true } : { ok: false, error: 'no PONG' };
  } catch (err) {
    // The connection's own error (ECONNREFUSED, say) says more than ioredis' 'Connection is closed.'
    return { ok: false, error: (connectionError ?? (err as Error)).message };
  } finally {
    probe.disconnect();
  }
}

/** A redis-server this process started on a free port of 127.0.0.1. */
export interface RedisServer {
  url: string;
  port: number;
  /** Starts it again (same port, same directory) after `stop()`. */
  start(): Promise<void>;
  /** Kills it (SIGKILL, as a crash would). */
  stop(): Promise<void>;
  /** Stops it and removes its directory. */
  cleanup(): Promise<void>;
}

/**
 * Starts `redis-server` on a free port and waits until it answers PING. `persistent`: AOF with fsync
 * on every write, so a restart keeps whatever it acknowledged; otherwise nothing is written to disk.
 * Throws a one-line reason when there is no redis-server binary or it does not come up.
 */
export async function startRedisServer(options: { persistent: boolean }): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary)
    throw new Error(
      'This test starts (and kills) a Redis of its own, so it needs a redis-server binary on PATH: apt-get install redis-server, or brew install redis',
    );
  const dir = mkdtempSync(join(tmpdir(), 'mcp-redis-'));
  const persistence = options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''] : ['--appendonly', 'no', '--save', ''];
  let child: ChildProcess | undefined;
  let port = 0;

  const launch = async (): Promise<void> => {
    let output = '';
    const started = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...persistence], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    for (const stream of [started.stdout!, started.stderr!]) stream.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-2000)));
    let spawnError: Error | undefined;
    started.on('error', (err) => (spawnError = err));
    const url = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (spawnError) throw new Error(`redis-server could not be started: ${spawnError.message}`);
      if (started.exitCode !== null) throw new Error(`redis-server exited with code ${started.exitCode}: ${output.trim().split('\n').pop()}`);
      if ((await pingRedis(url, 500)).ok) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 10 s: ${output.trim().split('\n').pop()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGKILL');
    await exited;
  };
  const cleanup = async (): Promise<void> => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };

  // Another process may take the free port before redis-server binds it: try a few ports.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      await stop();
      if (attempt === 3) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
  return { url: `redis://127.0.0.1:${port}`, port, start: launch, stop, cleanup };
}

/** A private redis-server on a free port (AOF on, so a restart keeps what it acknowledged), for tests that kill and restart it. */
export type PrivateRedis = RedisServer;
export const startPrivateRedis = (): Promise<PrivateRedis> => startRedisServer({ persistent: true });

/** Deletes every key under each prefix a test used (its own namespace in the shared Redis). */
export async function deleteRedisKeys(url: string, prefixes: readonly string[]): Promise<void> {
  if (prefixes.length === 0) return;
  const raw = new Redis(url);
  try {
    for (const prefix of prefixes) {
      const keys = await raw.keys(`${prefix}*`);
      if (keys.length) await raw.del(...keys);
    }
  } finally {
    await raw.quit();
  }
}
