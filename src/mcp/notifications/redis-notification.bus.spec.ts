import { randomUUID } from 'node:crypto';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { BadRequestError, StoreUnavailableError } from '../../common/domain.errors';
import type { BusMessage } from './notification.bus';
import { RedisNotificationBus, UnrelayableMessageError } from './redis-notification.bus';
import { testRedisUrl } from '../../../test/support/redis-server';

const URL = testRedisUrl();

/** A message nesting `levels` arrays in its params, built without recursion. */
function deepMessage(levels: number): JSONRPCMessage {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', arguments: { deep: value } } } as JSONRPCMessage;
}

async function untilConnected(bus: RedisNotificationBus): Promise<void> {
  // No offline queue: commands fail until the connection is up.
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await bus.since('warm-up', '1-0');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('RedisNotificationBus.publish failures (real Redis)', () => {
  const prefix = `test:${randomUUID()}:`;
  const sender = new RedisNotificationBus(URL, prefix, 60);
  const receiver = new RedisNotificationBus(URL, prefix, 60);
  const received: BusMessage[] = [];
  receiver.subscribe((m) => received.push(m));
  beforeAll(async () => {
    await Promise.all([untilConnected(sender), untilConnected(receiver)]);
  });
  afterAll(async () => {
    await Promise.all([sender.onModuleDestroy(), receiver.onModuleDestroy()]);
  });

  it('refuses a message JSON.stringify cannot serialise with a 400, not a RangeError, and keeps working', async () => {
    const sessionId = randomUUID();
    const failure = sender.publish({ kind: 'sse-inbound', sessionId, messages: [deepMessage(100_000)] });
    await expect(failure).rejects.toBeInstanceOf(UnrelayableMessageError);
    await expect(failure).rejects.toBeInstanceOf(BadRequestError);
    await expect(failure).rejects.toMatchObject({
      httpStatus: 400,
      rpcCode: -32600,
      message: expect.stringContaining('cannot be relayed'),
      cause: expect.any(RangeError),
    });

    await sender.publish({ kind: 'sse-inbound', sessionId, messages: [deepMessage(10)] });
    const deadline = Date.now() + 5000;
    while (!received.some((m) => m.sessionId === sessionId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(received.filter((m) => m.sessionId === sessionId)).toHaveLength(1);
  });

  it('turns a Redis failure into StoreUnavailableError (503) with its cause', async () => {
    const closed = new RedisNotificationBus(URL, prefix, 60);
    await untilConnected(closed);
    await closed.onModuleDestroy();
    await expect(closed.publish({ kind: 'closed', sessionId: randomUUID() })).rejects.toMatchObject({
      constructor: StoreUnavailableError,
      httpStatus: 503,
      cause: expect.any(Error),
    });
  });
});
