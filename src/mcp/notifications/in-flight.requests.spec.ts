import { InFlightRequests } from './in-flight.requests';
import { LocalNotificationBus } from './notification.bus';

describe('InFlightRequests', () => {
  it('cancels a request running on this replica, once, with the reason', async () => {
    const registry = new InFlightRequests(new LocalNotificationBus());
    registry.onModuleInit();
    const reasons: Array<string | undefined> = [];
    registry.add('s1', 7, (reason) => reasons.push(reason));
    await registry.cancel('s1', 7, 'stop');
    await registry.cancel('s1', 7, 'again');
    expect(reasons).toEqual(['stop']);
    expect(registry.size).toBe(0);
  });

  it('keeps sessions and id types apart ("7" is not 7, s2 is not s1)', async () => {
    const registry = new InFlightRequests(new LocalNotificationBus());
    registry.onModuleInit();
    const hits: string[] = [];
    registry.add('s1', 7, () => hits.push('s1:7'));
    await registry.cancel('s1', '7');
    await registry.cancel('s2', 7);
    expect(hits).toEqual([]);
    await registry.cancel('s1', 7);
    expect(hits).toEqual(['s1:7']);
  });

  it('reaches a request running on another replica through the bus', async () => {
    const bus = new LocalNotificationBus();
    const replicaA = new InFlightRequests(bus);
    const replicaB = new InFlightRequests(bus);
    replicaA.onModuleInit();
    replicaB.onModuleInit();
    const cancelled: string[] = [];
    replicaA.add('s1', 'req-1', (reason) => cancelled.push(`A:${reason}`));
    await replicaB.cancel('s1', 'req-1', 'timeout');
    expect(cancelled).toEqual(['A:timeout']);
  });

  it('forgets a request once it is done', async () => {
    const registry = new InFlightRequests(new LocalNotificationBus());
    registry.onModuleInit();
    const hits: number[] = [];
    const done = registry.add('s1', 1, () => hits.push(1));
    done();
    await registry.cancel('s1', 1);
    expect(hits).toEqual([]);
    expect(registry.size).toBe(0);
  });
});
