import type { AddressInfo } from 'node:net';
import { ForbiddenOriginError } from './domain.errors';
import { isLoopbackHost, OriginPolicy } from './origin.policy';

const listening =
  (address: string): (() => AddressInfo) =>
  () => ({ address, family: address.includes(':') ? 'IPv6' : 'IPv4', port: 3000 });

describe('OriginPolicy', () => {
  it('lets requests without an Origin through (non-browser clients)', () => {
    expect(new OriginPolicy(['https://a.example'], '0.0.0.0').isAllowed(undefined)).toBe(true);
  });

  it('enforces ALLOWED_ORIGINS exactly', () => {
    const policy = new OriginPolicy(['https://a.example'], '0.0.0.0');
    expect(policy.isAllowed('https://a.example')).toBe(true);
    expect(policy.isAllowed('https://a.example.evil.com')).toBe(false);
    expect(() => policy.check('https://b.example')).toThrow(ForbiddenOriginError);
  });

  it('protects loopback binds from DNS rebinding when no list is set', () => {
    const local = new OriginPolicy([], '127.0.0.1');
    expect(local.isAllowed('http://localhost:6274')).toBe(true);
    expect(local.isAllowed('http://127.0.0.1:3000')).toBe(true);
    expect(local.isAllowed('http://attacker.example')).toBe(false);
    expect(local.isAllowed('not a url')).toBe(false);
    expect(new OriginPolicy([], '0.0.0.0').isAllowed('http://anything.example')).toBe(true);
  });

  it.each([
    '127.1',
    '127.0.0.2',
    '::ffff:127.0.0.1',
    '[::ffff:127.0.0.1]',
    '0:0:0:0:0:0:0:1',
    '::1',
    '[::1]',
    'localhost',
    'localhost.',
    'LOCALHOST',
    '0x7f.1',
    '2130706433',
  ])('treats HOST=%s as a loopback bind', (host) => {
    const policy = new OriginPolicy([], host);
    expect(policy.isAllowed('http://evil.example')).toBe(false);
    expect(() => policy.check('http://evil.example')).toThrow(ForbiddenOriginError);
    expect(policy.isAllowed('http://localhost:5173')).toBe(true);
  });

  it.each(['0.0.0.0', '::', '10.0.0.5', '::ffff:10.0.0.5', 'example.com', 'localhost.example.com', '128.0.0.1'])('treats HOST=%s as a public bind', (host) => {
    expect(new OriginPolicy([], host).isAllowed('http://evil.example')).toBe(true);
  });

  it.each([
    'http://localhost',
    'http://localhost.:8080',
    'http://127.0.0.1:3000',
    'http://127.1',
    'http://127.0.0.2',
    'http://127.255.255.254:1',
    'http://[::1]:6274',
    'http://[0:0:0:0:0:0:0:1]',
    'http://[::ffff:127.0.0.1]',
    'https://LOCALHOST',
  ])('accepts the loopback origin %s on a loopback bind', (origin) => {
    expect(new OriginPolicy([], '127.0.0.1').isAllowed(origin)).toBe(true);
  });

  it.each([
    'http://evil.example',
    'http://localhost.evil.example',
    'http://127.0.0.1.nip.io',
    'http://[::2]',
    'http://128.0.0.1',
    'http://0.0.0.0',
    'null',
    'file://',
  ])('refuses the origin %s on a loopback bind', (origin) => {
    expect(new OriginPolicy([], '127.0.0.1').isAllowed(origin)).toBe(false);
  });

  describe('with the address the server listens on', () => {
    it('decides from that address, whatever HOST says', () => {
      expect(new OriginPolicy([], '0.0.0.0', listening('127.0.0.1')).isAllowed('http://evil.example')).toBe(false);
      expect(new OriginPolicy([], 'my-host', listening('::ffff:127.0.0.1')).isAllowed('http://evil.example')).toBe(false);
      expect(new OriginPolicy([], '127.0.0.1', listening('0.0.0.0')).isAllowed('http://evil.example')).toBe(true);
      expect(new OriginPolicy([], '::1', listening('::')).isAllowed('http://evil.example')).toBe(true);
    });

    it('reads it lazily, once, and falls back to HOST before listen and for a pipe', () => {
      let address: AddressInfo | string | null = null;
      const read = jest.fn(() => address);
      const policy = new OriginPolicy([], '127.1', read);
      expect(read).not.toHaveBeenCalled();
      expect(policy.isAllowed('http://evil.example')).toBe(false);
      address = '/tmp/mcp.sock';
      expect(policy.isAllowed('http://evil.example')).toBe(false);
      address = { address: '0.0.0.0', family: 'IPv4', port: 1 };
      expect(policy.isAllowed('http://evil.example')).toBe(true);
      address = { address: '127.0.0.1', family: 'IPv4', port: 1 };
      expect(policy.isAllowed('http://evil.example')).toBe(true);
      expect(read).toHaveBeenCalledTimes(3);
    });

    it('is not consulted when ALLOWED_ORIGINS is set or no Origin is sent', () => {
      const read = jest.fn(listening('127.0.0.1'));
      expect(new OriginPolicy(['https://a.example'], '0.0.0.0', read).isAllowed('https://a.example')).toBe(true);
      expect(new OriginPolicy([], '0.0.0.0', read).isAllowed(undefined)).toBe(true);
      expect(read).not.toHaveBeenCalled();
    });
  });

  it('recognises loopback hosts in every spelling and nothing else', () => {
    for (const host of ['127.0.0.1', '127.1', '[::1]', '::ffff:7f00:1', 'localhost.']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['', '0.0.0.0', '::', '[::ffff:10.0.0.1]', 'localhost..', 'foo:bar', '[', 'local host']) expect(isLoopbackHost(host)).toBe(false);
  });
});
