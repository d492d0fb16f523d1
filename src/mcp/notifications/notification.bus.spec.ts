import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { EVENTS_KEPT_PER_SESSION, LocalNotificationBus, NotificationBus } from './notification.bus';
import { RedisNotificationBus } from './redis-notification.bus';
import { testRedisUrl } from '../../../test/support/redis-server';

const URL = testRedisUrl();
const note = (method: string) => ({ jsonrpc: '2.0' as const, method });

/** The event-log contract, run against both buses (the Redis one on a real Redis). */
function eventLogContract(name: string, make: () => { writer: NotificationBus; reader: NotificationBus }) {
  describe(`${name}: session event log`, () => {
    it('replays what came after an event id, in order, to any reader', async () => {
      const { writer, reader } = make();
      const s = randomUUID();
      const first = await writer.record(s, note('a'));
      const second = await writer.record(s, note('b'));
      const third = await writer.record(s, note('c'));
      expect(new Set([first, second, third]).size).toBe(3);
      expect((await reader.since(s, first)).map((e) => [e.id, e.message.method])).toEqual([
        [second, 'b'],
        [third, 'c'],
      ]);
      expect(await reader.since(s, third)).toEqual([]);
    });

    it('keeps sessions apart and ignores ids it does not know', async () => {
      const { writer, reader } = make();
      const s1 = randomUUID();
      const s2 = randomUUID();
      const id = await writer.record(s1, note('a'));
      await writer.record(s1, note('b'));
      expect(await reader.since(s2, id)).toEqual([]);
      for (const bad of ['', 'garbage', '99999999999999999999', '-1', '1-2-3']) expect(await reader.since(s1, bad)).toEqual([]);
    });

    it(`keeps exactly the last ${EVENTS_KEPT_PER_SESSION} events of a session and forgets them on request`, async () => {
      const { writer, reader } = make();
      const s = randomUUID();
      const dropped = 10;
      const ids: string[] = [];
      for (let i = 0; i < EVENTS_KEPT_PER_SESSION + dropped; i++) ids.push(await writer.record(s, note(`n${i}`)));
      const kept = ids.slice(dropped).map((id, i) => [id, `n${i + dropped}`]);
      // After the oldest id (itself dropped), and after the last dropped one: the same last 50, in order.
      for (const after of [ids[0], ids[dropped - 1]]) expect((await reader.since(s, after)).map((e) => [e.id, e.message.method])).toEqual(kept);
      // The first ten are gone; the oldest kept one is still a valid resume point.
      const replayed = new Set((await reader.since(s, ids[0])).map((e) => e.id));
      for (const gone of ids.slice(0, dropped)) expect(replayed.has(gone)).toBe(false);
      expect((await reader.since(s, ids[dropped])).map((e) => e.id)).toEqual(ids.slice(dropped + 1));
      await writer.forget(s);
      expect(await reader.since(s, ids[0])).toEqual([]);
      expect(await reader.since(s, ids[dropped])).toEqual([]);
    });
  });
}

/** The stream-claim contract (which stream gets a session's notifications), run against both buses. */
function claimContract(name: string, make: () => { writer: NotificationBus; reader: NotificationBus }) {
  describe(`${name}: stream claims`, () => {
    it('a newer stream takes the claim; an older one only takes it when free; only the holder releases it', async () => {
      const { writer, reader } = make();
      const s = randomUUID();
      expect(await reader.streamOf(s)).toBeUndefined();
      expect(await writer.claimStream(s, 'r1/1', 5000, false)).toBe(true);
      expect(await writer.claimStream(s, 'r2/1', 5000, false)).toBe(true);
      expect(await reader.streamOf(s)).toBe('r2/1');
      expect(await writer.claimStream(s, 'r1/1', 5000, true)).toBe(false);
      expect(await writer.claimStream(s, 'r2/1', 5000, true)).toBe(true);
      await writer.releaseStream(s, 'r1/1');
      expect(await reader.streamOf(s)).toBe('r2/1');
      await writer.releaseStream(s, 'r2/1');
      expect(await reader.streamOf(s)).toBeUndefined();
      expect(await writer.claimStream(s, 'r1/1', 5000, true)).toBe(true);
      await writer.forget(s);
      expect(await reader.streamOf(s)).toBeUndefined();
    });

    it('lapses when not refreshed', async () => {
      const { writer, reader } = make();
      const s = randomUUID();
      await writer.claimStream(s, 'r1/1', 80, false);
      expect(await reader.streamOf(s)).toBe('r1/1');
      await new Promise((r) => setTimeout(r, 120));
      expect(await reader.streamOf(s)).toBeUndefined();
    });
  });
}

const local = new LocalNotificationBus();
eventLogContract('LocalNotificationBus', () => ({ writer: local, reader: local }));
claimContract('LocalNotificationBus', () => ({ writer: local, reader: local }));

describe('RedisNotificationBus (real Redis)', () => {
  const prefix = `test:${randomUUID()}:`;
  const buses: RedisNotificationBus[] = [];
  afterAll(async () => {
    const raw = new Redis(URL);
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
    await Promise.all(buses.map((b) => b.onModuleDestroy()));
  });
  const bus = () => {
    const b = new RedisNotificationBus(URL, prefix, 60);
    buses.push(b);
    return b;
  };
  const a = bus();
  const b = bus();
  beforeAll(async () => {
    // The buses answer commands once connected (no offline queue): wait until both do.
    const deadline = Date.now() + 5000;
    for (const x of [a, b]) {
      for (;;) {
        try {
          await x.since('warm-up', '1-0');
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  });
  eventLogContract('RedisNotificationBus', () => ({ writer: a, reader: b }));
  claimContract('RedisNotificationBus', () => ({ writer: a, reader: b }));

  it('lets the event log expire with the session idle TTL', async () => {
    const s = randomUUID();
    await a.record(s, note('x'));
    const raw = new Redis(URL);
    try {
      const ttl = await raw.ttl(`${prefix}events:${s}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
    } finally {
      await raw.quit();
    }
  });
});
