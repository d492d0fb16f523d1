import { classifyInboundRequest, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import { certainlyModernPostBody } from './classify-inbound-request.envelope-claim';

const META = {
  [PROTOCOL_VERSION_META_KEY]: '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'parity', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

type Headers = { protocolVersionHeader?: string; mcpMethodHeader?: string; mcpNameHeader?: string };

function sdkSaysLegacy(body: unknown, headers: Headers = {}): boolean {
  return classifyInboundRequest({ httpMethod: 'POST', ...headers, body }).kind === 'legacy';
}

/** Every combination of the members the shortcut reads, with values that matter to the SDK. */
function* generatedBodies(): Generator<unknown> {
  const ids = [undefined, 1, 'a', null];
  const methods = [undefined, 'tools/call', 'initialize', 'notifications/cancelled', 'server/discover', 7];
  const metas = [
    undefined,
    null,
    [],
    {},
    META,
    { [PROTOCOL_VERSION_META_KEY]: '2025-11-25' },
    { [PROTOCOL_VERSION_META_KEY]: 42 },
    { [PROTOCOL_VERSION_META_KEY]: '2026-07-28' },
    { 'io.modelcontextprotocol/clientInfo': { name: 'x', version: '0' } },
  ];
  const extras = [{}, { result: {} }, { error: { code: 1, message: 'm' } }, { result: {}, error: { code: 1, message: 'm' } }];
  const jsonrpcs = ['2.0', '1.0', undefined];
  for (const id of ids)
    for (const method of methods)
      for (const meta of metas)
        for (const extra of extras)
          for (const jsonrpc of jsonrpcs) {
            const params = meta === undefined ? { name: 'x' } : { name: 'x', _meta: meta };
            yield {
              ...(jsonrpc === undefined ? {} : { jsonrpc }),
              ...(id === undefined ? {} : { id }),
              ...(method === undefined ? {} : { method }),
              params,
              ...extra,
            };
            yield {
              ...(jsonrpc === undefined ? {} : { jsonrpc }),
              ...(id === undefined ? {} : { id }),
              ...(method === undefined ? {} : { method }),
              params: meta,
              ...extra,
            };
          }
}

describe('certainlyModernPostBody: never "modern" where the SDK classification says legacy', () => {
  const headerSets: Headers[] = [
    {},
    { protocolVersionHeader: '2026-07-28' },
    { protocolVersionHeader: '2025-11-25' },
    { protocolVersionHeader: '2026-07-28', mcpMethodHeader: 'tools/list' },
    { mcpMethodHeader: 'tools/call', mcpNameHeader: 'x' },
  ];

  it('agrees with classifyInboundRequest on every generated body and header set', () => {
    let modern = 0;
    let checked = 0;
    for (const body of generatedBodies())
      for (const headers of headerSets) {
        checked++;
        if (!certainlyModernPostBody(body)) continue;
        modern++;
        expect({ body, headers, legacy: sdkSaysLegacy(body, headers) }).toEqual({ body, headers, legacy: false });
      }
    // The shortcut does fire (for well-formed and malformed claims alike), not only say "ask the SDK".
    expect(checked).toBeGreaterThan(5000);
    expect(modern).toBeGreaterThan(500);
  });

  it.each([
    ['a 2026 tools/call', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', arguments: {}, _meta: META } }, true],
    ['a 2026 notification', { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: META } }, true],
    [
      'a claim naming a 2025 revision (the SDK answers it unsupported)',
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { [PROTOCOL_VERSION_META_KEY]: '2025-06-18' } } },
      true,
    ],
    ['an initialize with a valid 2026 claim (left to the SDK)', { jsonrpc: '2.0', id: 1, method: 'initialize', params: { _meta: META } }, false],
    ['a posted response carrying a claim (left to the SDK)', { jsonrpc: '2.0', id: 1, result: {}, params: { _meta: META } }, false],
    ['a 2025 request', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }, false],
    [
      'an inherited claim key',
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: Object.create({ [PROTOCOL_VERSION_META_KEY]: '2026-07-28' }) } },
      true,
    ],
    ['no params', { jsonrpc: '2.0', id: 1, method: 'tools/list' }, false],
  ])('%s', (_what, body, expected) => {
    expect(certainlyModernPostBody(body)).toBe(expected);
    if (expected) expect(sdkSaysLegacy(body)).toBe(false);
  });
});
