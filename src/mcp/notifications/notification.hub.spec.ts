import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { LocalNotificationBus, NotificationBus } from './notification.bus';
import { NotificationHub, SessionStream } from './notification.hub';
import { RedisNotificationBus } from './redis-notification.bus';
import { testRedisUrl } from '../../../test/support/redis-server';

/** A stream that records what it was sent. */
function stream(): SessionStream & { got: Array<{ method: string; eventId?: string }>; closed: boolean } {
  const s = {
    got: [] as Array<{ method: string; eventId?: string }>,
    closed: false,
    send: (message: { method: string }, eventId?: string) => void s.got.push({ method: message.method, ...(eventId ? { eventId } : {}) }),
    close: () => void (s.closed = true),
  };
  return s;
}

/** Until the bus has answered what came before (claims are written in the background). */
const settle = () => new Promise((r) => setTimeout(r, 50));

function hubOn(bus: NotificationBus): NotificationHub {
  const hub = new NotificationHub(bus);
  hub.onModuleInit();
  return hub;
}

describe('NotificationHub: each notification on exactly one stream (in-process bus)', () => {
  const bus = new LocalNotificationBus();
  const hub = hubOn(bus);
  afterAll(() => hub.beforeApplicationShutdown());

  it('answers false and records nothing when the session has no stream (the caller uses the request stream)', async () => {
    const s = randomUUID();
    const first = await bus.record(s, { jsonrpc: '2.0', method: 'marker' });
    expect(await hub.publish(s, 'notifications/tools/list_changed')).toBe(false);
    expect(await bus.since(s, first)).toEqual([]);
  });

  it('sends to the one stream of the session, with an event id, once', async () => {
    const s = randomUUID();
    const a = stream();
    expect(hub.attach(s, a)).toBe(true);
    await settle();
    expect(await hub.publish(s, 'notifications/tools/list_changed')).toBe(true);
    expect(a.got).toEqual([{ method: 'notifications/tools/list_changed', eventId: expect.any(String) }]);
  });

  it('sends to the newest of several streams only; when it closes, the older one takes over', async () => {
    const s = randomUUID();
    const older = stream();
    const newer = stream();
    hub.attach(s, older);
    hub.attach(s, newer);
    await settle();
    await hub.publish(s, 'n1');
    expect(newer.got.map((g) => g.method)).toEqual(['n1']);
    expect(older.got).toEqual([]);
    hub.detach(s, newer);
    await settle();
    await hub.publish(s, 'n2');
    expect(older.got.map((g) => g.method)).toEqual(['n2']);
    expect(newer.got.map((g) => g.method)).toEqual(['n1']);
    hub.detach(s, older);
    await settle();
    expect(await hub.publish(s, 'n3')).toBe(false);
  });

  it('drops the claim with the session', async () => {
    const s = randomUUID();
    const a = stream();
    hub.attach(s, a);
    await settle();
    await hub.closeSession(s);
    expect(a.closed).toBe(true);
    expect(await bus.streamOf(s)).toBeUndefined();
    expect(await hub.publish(s, 'x')).toBe(false);
  });

  it('answers false when the bus cannot be asked (the request stream still gets the message)', async () => {
    const broken = new LocalNotificationBus();
    broken.streamOf = () => Promise.reject(new Error('down'));
    const h = new NotificationHub(broken);
    expect(await h.publish(randomUUID(), 'x')).toBe(false);
  });
});

describe('NotificationHub across two replicas (real Redis)', () => {
  const url = testRedisUrl();
  const prefix = `test:${randomUUID()}:`;
  const busA = new RedisNotificationBus(url, prefix, 60);
  const busB = new RedisNotificationBus(url, prefix, 60);
  const a = hubOn(busA);
  const b = hubOn(busB);

  beforeAll(async () => {
    const deadline = Date.now() + 5000;
    for (const bus of [busA, busB]) {
      for (;;) {
        try {
          await bus.streamOf('warm-up');
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  });
  afterAll(async () => {
    a.beforeApplicationShutdown();
    b.beforeApplicationShutdown();
    const raw = new Redis(url);
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
    await Promise.all([busA.onModuleDestroy(), busB.onModuleDestroy()]);
  });

  it('delivers a notification published on B to the stream held by A, once', async () => {
    const s = randomUUID();
    const onA = stream();
    a.attach(s, onA);
    await settle();
    expect(await b.publish(s, 'notifications/tools/list_changed')).toBe(true);
    await settle();
    expect(onA.got.map((g) => g.method)).toEqual(['notifications/tools/list_changed']);
  });

  it('sends to the newest stream in the cluster only; closing it hands over to the other replica', async () => {
    const s = randomUUID();
    const onA = stream();
    const onB = stream();
    a.attach(s, onA);
    await settle();
    b.attach(s, onB);
    await settle();
    await a.publish(s, 'n1');
    await settle();
    expect(onB.got.map((g) => g.method)).toEqual(['n1']);
    expect(onA.got).toEqual([]);
    b.detach(s, onB);
    await settle();
    expect(await b.publish(s, 'n2')).toBe(true);
    await settle();
    expect(onA.got.map((g) => g.method)).toEqual(['n2']);
    expect(onB.got.map((g) => g.method)).toEqual(['n1']);
    a.detach(s, onA);
    await settle();
    expect(await busB.streamOf(s)).toBeUndefined();
    expect(await b.publish(s, 'n3')).toBe(false);
  });

  it('lets a claim lapse when its holder stops refreshing it (a replica that died)', async () => {
    const s = randomUUID();
    expect(await busA.claimStream(s, 'dead-replica/1', 100, false)).toBe(true);
    expect(await busB.claimStream(s, 'live/1', 1000, true)).toBe(false);
    await new Promise((r) => setTimeout(r, 150));
    expect(await busB.streamOf(s)).toBeUndefined();
    expect(await busB.claimStream(s, 'live/1', 1000, true)).toBe(true);
    await busB.releaseStream(s, 'dead-replica/1');
    expect(await busA.streamOf(s)).toBe('live/1');
    await busA.releaseStream(s, 'live/1');
    expect(await busB.streamOf(s)).toBeUndefined();
  });
});
