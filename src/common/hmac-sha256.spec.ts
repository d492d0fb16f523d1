import { createHmac, randomBytes } from 'node:crypto';
import { HmacSha256 } from './hmac-sha256';

describe('HmacSha256', () => {
  const messages = ['', '{}', '{"to":["a@example.com"],"body":"hi there"}', 'ünïcødé ✓ 𝄞', 'x'.repeat(10_000)];

  it.each([0, 1, 32, 63, 64, 65, 200])('gives createHmac’s MAC for a %i-byte key', (length) => {
    const key = randomBytes(length);
    const mac = new HmacSha256(key);
    for (const m of messages) expect(mac.hex(m)).toBe(createHmac('sha256', key).update(m).digest('hex'));
  });

  it('keeps giving the same MAC for the same message (the pads are copied, never consumed)', () => {
    const key = Buffer.from('an audit hash key of at least 32 characters', 'utf8');
    const mac = new HmacSha256(key);
    const first = mac.hex('{"a":1}');
    mac.hex('something else');
    expect(mac.hex('{"a":1}')).toBe(first);
    expect(first).toBe(createHmac('sha256', key).update('{"a":1}').digest('hex'));
  });
});
