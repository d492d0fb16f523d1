import { MemorySessionStore } from './memory-session.store';
import type { SessionRecord } from './session.types';

const record = (id: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  identityKey: 'owner',
  workspaceKey: 'ws',
  customerId: 'c',
  token: 't',
  mode: 'dynamic',
  apps: null,
  enabledTools: [],
  transport: 'streamable-http',
  createdAt: Date.now(),
  lastUsedAt: Date.now(),
  ...extra,
});

describe('MemorySessionStore', () => {
  let store: MemorySessionStore;
  beforeEach(() => (store = new MemorySessionStore()));
  afterEach(() => store.close());

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
