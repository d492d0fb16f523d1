import { BadRequestError } from '../../common/domain.errors';
import { parseSessionOptions } from './session-options';

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
