import { ForbiddenOriginError } from './domain.errors';
import { OriginPolicy } from './origin.policy';

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
});
