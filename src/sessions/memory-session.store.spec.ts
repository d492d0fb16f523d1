import { MemorySessionStore } from './memory-session.store';
import type { SessionRecord } from './session.types';
import { sessionRecord } from '../../test/support/session-record';

const record = (id: string, extra: Partial<SessionRecord> = {}): SessionRecord => sessionRecord(id, 'owner', { customerId: 'c', mode: 'dynamic', ...extra });

describe('MemorySessionStore', () => {
  let store: MemorySessionStore;
  beforeEach(() => (store = new MemorySessionStore()));
  afterEach(() => store.close());

  it('evicts by last use, and counts only live sessions at the cap whatever order they expire in', async () => {
    jest.useFakeTimers({ now: Date.now() });
    try {
      const limits = { maxSessions: 100, maxPerIdentity: 3 };
      await store.create(record('long-1'), 60, limits);
      jest.advanceTimersByTime(10);
      // A shorter TTL than the sessions around it: it expires first although it is not the least recently used.
      await store.create(record('short'), 1, limits);
      jest.advanceTimersByTime(10);
      await store.create(record('long-2'), 60, limits);
      jest.advanceTimersByTime(2_000);
      // 'short' has expired behind 'long-1': the identity has 2 live sessions, so this create evicts nothing.
      expect(await store.create(record('long-3'), 60, limits)).toEqual({ created: true, evicted: [] });
      // At the cap now; a touch makes long-1 the most recently used, so long-2 goes.
      await store.touch('long-1', 60);
      jest.advanceTimersByTime(10);
      expect(await store.create(record('long-4'), 60, limits)).toEqual({ created: true, evicted: ['long-2'] });
      expect(await store.count()).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });

  it('expires idle sessions and their chat mappings', async () => {
    jest.useFakeTimers({ now: Date.now() });
    try {
      await store.create(record('s1', { chatId: 'chat' }), 10);
      await store.setChat('owner', 'chat', 's1', 10);
      expect(await store.getChats('owner')).toEqual({ chat: 's1' });
      jest.advanceTimersByTime(5_000);
      await store.touch('s1', 10);
      jest.advanceTimersByTime(9_000);
      expect(await store.get('s1')).toBeDefined();
      jest.advanceTimersByTime(11_000);
      expect(await store.get('s1')).toBeUndefined();
      expect(await store.getChats('owner')).toEqual({});
      expect(await store.count()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('adds enabled tools as a set and returns copies', async () => {
    await store.create(record('s1'), 60);
    expect(await store.addEnabledTools('s1', ['a', 'b'], 60)).toEqual(['a', 'b']);
    expect(await store.addEnabledTools('s1', ['b', 'c'], 60)).toEqual(['a', 'b', 'c']);
    const got = await store.get('s1');
    got!.enabledTools.push('mutated');
    expect((await store.get('s1'))!.enabledTools).toEqual(['a', 'b', 'c']);
    expect(await store.addEnabledTools('missing', ['x'], 60)).toBeUndefined();
  });

  it('removes a chat mapping only while it points at the given session', async () => {
    await store.create(record('s1'), 60);
    await store.create(record('s2'), 60);
    await store.setChat('owner', 'chat', 's1', 60);
    expect(await store.setChat('owner', 'chat', 's2', 60)).toBe('s1');
    await store.removeChat('owner', 'chat', 's1');
    expect(await store.getChats('owner')).toEqual({ chat: 's2' });
  });
});
