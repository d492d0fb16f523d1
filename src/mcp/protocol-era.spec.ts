import { BadRequestError } from '../common/domain.errors';
import { opensLegacySseStream, protocolEra, STATELESS_REVISION } from './protocol-era';

/* The one place the protocol era of a request is decided (mcp/protocol-era.ts). */

const META = {
  'io.modelcontextprotocol/protocolVersion': STATELESS_REVISION,
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const post = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers, body });
const stateless = (method = 'tools/list') => ({ jsonrpc: '2.0', id: 1, method, params: { _meta: META } });
const v2Headers = { 'mcp-protocol-version': STATELESS_REVISION, 'mcp-method': 'tools/list' };

describe('protocolEra', () => {
  it('gives a POST carrying the 2026-07-28 _meta to the stateless era', () => {
    expect(protocolEra(post(stateless(), v2Headers))).toBe('stateless');
  });

  it('gives initialize, session requests, batches and unparsed bodies to the session era', () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
    };
    expect(protocolEra(post(init))).toBe('session');
    expect(protocolEra(post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 's' }))).toBe('session');
    // Mcp-Session-Id wins over a 2026 claim: a session's request is never answered statelessly.
    expect(protocolEra(post(stateless(), { ...v2Headers, 'mcp-session-id': 's' }))).toBe('session');
    expect(protocolEra(post([stateless()], v2Headers))).toBe('session');
    expect(protocolEra(post(undefined))).toBe('session');
    expect(protocolEra(post('text'))).toBe('session');
  });

  it('refuses a POST nested deeper than the limit before the SDK walks it, whatever its era', () => {
    let deep: unknown = {};
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    expect(() => protocolEra(post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { arguments: deep } }))).toThrow(BadRequestError);
  });

  it('gives a GET or DELETE to the stateless era only when it names the 2026 revision', () => {
    for (const method of ['GET', 'DELETE']) {
      expect(protocolEra({ method, headers: { 'mcp-protocol-version': STATELESS_REVISION }, body: undefined })).toBe('stateless');
      expect(protocolEra({ method, headers: { 'mcp-protocol-version': '2025-11-25' }, body: undefined })).toBe('session');
      expect(protocolEra({ method, headers: {}, body: undefined })).toBe('session');
      expect(protocolEra({ method, headers: { 'mcp-protocol-version': STATELESS_REVISION, 'mcp-session-id': 's' }, body: undefined })).toBe('session');
    }
  });
});

describe('opensLegacySseStream', () => {
  it('is a plain GET /sse: neither a session id nor a 2026 (or later) protocol version', () => {
    expect(opensLegacySseStream({ headers: {} })).toBe(true);
    expect(opensLegacySseStream({ headers: { 'mcp-protocol-version': '2025-11-25' } })).toBe(true);
    expect(opensLegacySseStream({ headers: { 'mcp-session-id': 's' } })).toBe(false);
    expect(opensLegacySseStream({ headers: { 'mcp-protocol-version': STATELESS_REVISION } })).toBe(false);
    expect(opensLegacySseStream({ headers: { 'mcp-protocol-version': '2027-01-01' } })).toBe(false);
  });
});
