import { BadRequestError } from '../common/domain.errors';
import { parseSessionOptions, requestSessionOptions } from './request-options';

describe('parseSessionOptions', () => {
  it('defaults to static mode and all apps', () => {
    expect(parseSessionOptions({})).toEqual({ mode: 'static', apps: null });
  });
  it('reads mode and a deduplicated apps list', () => {
    expect(parseSessionOptions({ mode: 'dynamic', apps: 'google-calendar, google-docs,google-docs' })).toEqual({
      mode: 'dynamic',
      apps: ['google-calendar', 'google-docs'],
    });
  });
  it('rejects an unknown mode naming the allowed values', () => {
    expect(() => parseSessionOptions({ mode: 'turbo' })).toThrow(BadRequestError);
    expect(() => parseSessionOptions({ mode: 'turbo' })).toThrow(/"static".*"dynamic"/);
  });
  it('rejects malformed app keys', () => {
    expect(() => parseSessionOptions({ apps: 'ok,<script>' })).toThrow(/Invalid integration key/);
  });
});

describe('requestSessionOptions (modes as paths)', () => {
  const req = (path: string, query: Record<string, unknown> = {}) => ({ path, query }) as Parameters<typeof requestSessionOptions>[0];

  it('takes the mode from /mcp/search and /mcp/dynamic (trailing slash too), and ?mode= on /mcp', () => {
    expect(requestSessionOptions(req('/mcp/search')).mode).toBe('search');
    expect(requestSessionOptions(req('/mcp/dynamic/')).mode).toBe('dynamic');
    expect(requestSessionOptions(req('/mcp', { mode: 'dynamic' })).mode).toBe('dynamic');
    expect(requestSessionOptions(req('/sse', { mode: 'search', apps: 'gmail' }))).toEqual({ mode: 'search', apps: ['gmail'] });
  });

  it('accepts the same mode in path and query, refuses a conflicting one with a 400 naming both', () => {
    expect(requestSessionOptions(req('/mcp/search', { mode: ' Search ' })).mode).toBe('search');
    expect(() => requestSessionOptions(req('/mcp/search', { mode: 'static' }))).toThrow(
      expect.objectContaining({
        httpStatus: 400,
        message: expect.stringMatching(/^Conflicting modes: the path \/mcp\/search selects mode "search" but the query string says mode="static"/),
      }),
    );
    // An unknown query mode is still the unknown-mode 400, and a long one is cut.
    expect(() => requestSessionOptions(req('/mcp/dynamic', { mode: 'x'.repeat(10_000) }))).toThrow(/Unknown mode "x{50}"/);
  });
});
