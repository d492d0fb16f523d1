import { buildToolCatalog } from './tool-catalog';
import type { UpstreamAction, UpstreamConnection } from './integration-app.gateway';

const conn = (id: string, integrationKey: string, extra: Partial<UpstreamConnection> = {}): UpstreamConnection => ({
  id,
  name: `${integrationKey} ${id}`,
  integrationId: `int-${integrationKey}`,
  integrationKey,
  integrationName: integrationKey.toUpperCase(),
  disconnected: false,
  archived: false,
  ...extra,
});
const action = (key: string, extra: Partial<UpstreamAction> = {}): UpstreamAction => ({
  id: key,
  key,
  name: key,
  integrationId: '',
  deactivated: false,
  archived: false,
  ...extra,
});

describe('buildToolCatalog', () => {
  it('skips disconnected/archived connections and deactivated/archived actions', () => {
    const catalog = buildToolCatalog(
      [conn('c1', 'crm'), conn('c2', 'mail', { disconnected: true }), conn('c3', 'docs', { archived: true })],
      new Map([
        ['int-crm', [action('a'), action('b', { deactivated: true }), action('c', { archived: true })]],
        ['int-mail', [action('send')]],
        ['int-docs', [action('read')]],
      ]),
    );
    expect(catalog.entries.map((e) => e.name)).toEqual(['crm_a']);
  });

  it('wraps a non-object schema and accepts arguments as { input }', () => {
    const catalog = buildToolCatalog([conn('c1', 'x')], new Map([['int-x', [action('echo', { inputSchema: { type: 'string' } })]]]));
    const entry = catalog.get('x_echo')!;
    expect(entry.wrapsInput).toBe(true);
    expect(entry.definition.inputSchema).toEqual({ type: 'object', properties: { input: { type: 'string' } }, required: ['input'] });
    expect(catalog.validate(entry, { input: 'hi' })).toEqual([]);
    expect(catalog.validate(entry, { input: 3 })[0].path).toBe('input');
  });

  it('resolves tool names, dash aliases and integration keys', () => {
    const catalog = buildToolCatalog([conn('c1', 'gmail')], new Map([['int-gmail', [action('send-email'), action('read_email')]]]));
    expect(catalog.resolve('gmail_send-email')?.name).toBe('gmail_send-email');
    expect(catalog.resolve('gmail-send-email')?.name).toBe('gmail_send-email');
    expect(catalog.resolve('GMAIL-READ_EMAIL')?.name).toBe('gmail_read_email');
    expect(catalog.integrationTools('gmail')).toHaveLength(2);
    expect(catalog.suggest('gmail_send-emails', catalog.entries.map((e) => e.name))).toEqual(['gmail_send-email']);
  });

  it('memoizes views per apps filter', () => {
    const catalog = buildToolCatalog(
      [conn('c1', 'a'), conn('c2', 'b')],
      new Map([
        ['int-a', [action('x')]],
        ['int-b', [action('y')]],
      ]),
    );
    expect(catalog.list(['b']).map((t) => t.name)).toEqual(['b_y']);
    expect(catalog.list(['b'])).toBe(catalog.list(['b']));
    expect(catalog.list(null)).toHaveLength(2);
  });
});
