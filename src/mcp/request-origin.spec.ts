import { requestOrigin } from './request-origin';

describe('requestOrigin (links on this server without PUBLIC_URL)', () => {
  it('is scheme://host from Host and X-Forwarded-Proto', () => {
    expect(requestOrigin({ host: 'localhost:3000' })).toBe('http://localhost:3000');
    expect(requestOrigin({ host: 'mcp.example.com', 'x-forwarded-proto': 'https' })).toBe('https://mcp.example.com');
    expect(requestOrigin({ host: 'mcp.example.com', 'x-forwarded-proto': 'HTTPS, http' })).toBe('https://mcp.example.com');
    expect(requestOrigin({ host: '[::1]:8080' })).toBe('http://[::1]:8080');
  });

  it('refuses what is not a host: no link is built from it', () => {
    for (const host of ['', 'evil.com/path', 'a b', 'x@evil.com', 'host:port', `${'a'.repeat(300)}`, 'evil.com\r\nX: y', '//evil.com']) {
      expect(requestOrigin({ host })).toBeUndefined();
    }
    expect(requestOrigin({})).toBeUndefined();
    expect(requestOrigin(undefined)).toBeUndefined();
    // Only http and https schemes come out, whatever the header says.
    expect(requestOrigin({ host: 'a.example', 'x-forwarded-proto': 'javascript' })).toBe('http://a.example');
  });
});
