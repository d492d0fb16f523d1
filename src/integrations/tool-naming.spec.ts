import { assignToolNames, baseToolName, MAX_TOOL_NAME_LENGTH } from './tool-naming';

describe('tool naming', () => {
  it('uses <integrationKey>_<actionKey>', () => {
    expect(baseToolName('gmail', 'send-email')).toBe('gmail_send-email');
  });

  it('reduces names to [A-Za-z0-9_-]', () => {
    expect(baseToolName('google calendar', 'create.event/v2')).toBe('google-calendar_create-event-v2');
  });

  it('cuts long names to 64 characters with a stable hash suffix', () => {
    const a = baseToolName('an-integration-with-a-rather-long-key', 'an-action-with-an-even-longer-key-than-that-one');
    const b = baseToolName('an-integration-with-a-rather-long-key', 'an-action-with-an-even-longer-key-than-that-two');
    expect(a.length).toBeLessThanOrEqual(MAX_TOOL_NAME_LENGTH);
    expect(b.length).toBeLessThanOrEqual(MAX_TOOL_NAME_LENGTH);
    expect(a).not.toBe(b);
    expect(baseToolName('an-integration-with-a-rather-long-key', 'an-action-with-an-even-longer-key-than-that-one')).toBe(a);
  });

  it('never gives two pairs the same name, even when sanitizing collides', () => {
    const pairs = [
      { integrationKey: 'a', actionKey: 'b.c' },
      { integrationKey: 'a', actionKey: 'b-c' },
      { integrationKey: 'a', actionKey: 'b c' },
    ];
    const names = assignToolNames(pairs);
    expect(new Set(names).size).toBe(3);
    expect(names.every((n) => /^[A-Za-z0-9_-]{1,64}$/.test(n))).toBe(true);
    // Stable whatever the input order.
    expect(assignToolNames([...pairs].reverse()).reverse()).toEqual(names);
  });

  it('does not depend on splitting on _ or -', () => {
    const names = assignToolNames([
      { integrationKey: 'a_b', actionKey: 'c' },
      { integrationKey: 'a', actionKey: 'b_c' },
    ]);
    expect(new Set(names).size).toBe(2);
  });
});
