import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { EVENTS_KEPT_PER_SESSION, LocalNotificationBus, NotificationBus } from './notification.bus';
import { RedisNotificationBus } from './redis-notification.bus';

const URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
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

    it(`keeps the last ${EVENTS_KEPT_PER_SESSION} events of a session and forgets them on request`, async () => {
      const { writer, reader } = make();
      const s = randomUUID();
      const first = await writer.record(s, note('n0'));
      for (let i = 1; i < EVENTS_KEPT_PER_SESSION + 20; i++) await writer.record(s, note(`n${i}`));
      const kept = await reader.since(s, first);
      expect(kept.length).toBeGreaterThanOrEqual(EVENTS_KEPT_PER_SESSION - 1);
      expect(kept.length).toBeLessThanOrEqual(EVENTS_KEPT_PER_SESSION + 20);
      expect(kept[kept.length - 1].message.method).toBe(`n${EVENTS_KEPT_PER_SESSION + 19}`);
      await writer.forget(s);
      expect(await reader.since(s, first)).toEqual([]);
    });
  });
}

const local = new LocalNotificationBus();
eventLogContract('LocalNotificationBus', () => ({ writer: local, reader: local }));

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
