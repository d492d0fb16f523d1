import { BadRequestError } from '../common/domain.errors';
import { JsonRpcErrorCode } from '../common/json-rpc';
import { callsWithProgress, MAX_JSON_DEPTH, nestsDeeperThan, parseJsonRpcBody } from './json-rpc-body';

/** A value nesting `levels` arrays (or objects), built without recursion. */
function nested(levels: number, kind: 'array' | 'object' = 'array', leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}
const call = (args: unknown) => ({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'gmail_send-email', arguments: args } });
/** Levels a tools/call message adds around its arguments (the message, its params). */
const CALL_LEVELS = 2;

function rejection(body: unknown): BadRequestError {
  try {
    parseJsonRpcBody(body);
  } catch (err) {
    if (err instanceof BadRequestError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('parseJsonRpcBody', () => {
  it('accepts ordinary MCP messages and batches', () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: { roots: { listChanged: true } }, clientInfo: { name: 'c', version: '1' } },
    };
    const messages = [
      init,
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      call({ to: ['a@b.co'], body: 'hi', options: { trackOpens: true, meta: { tags: [['x']] } } }),
      { jsonrpc: '2.0', id: 5, result: { content: [{ type: 'text', text: 'ok' }] } },
      { jsonrpc: '2.0', id: 6, error: { code: -32601, message: 'nope', data: { detail: [1, 2] } } },
    ];
    for (const m of messages) expect(parseJsonRpcBody(m)).toHaveLength(1);
    expect(parseJsonRpcBody(messages.slice(1))).toHaveLength(messages.length - 1);
  });

  it(`accepts arguments nested up to ${MAX_JSON_DEPTH} levels in all`, () => {
    expect(parseJsonRpcBody(call(nested(MAX_JSON_DEPTH - CALL_LEVELS, 'object')))).toHaveLength(1);
    expect(parseJsonRpcBody([call(nested(MAX_JSON_DEPTH - CALL_LEVELS))])).toHaveLength(1);
  });

  it(`rejects a message nested deeper than ${MAX_JSON_DEPTH} levels with 400 / -32600 and says why`, () => {
    for (const body of [call(nested(MAX_JSON_DEPTH - CALL_LEVELS + 1)), call(nested(MAX_JSON_DEPTH, 'object'))]) {
      const err = rejection(body);
      expect(err).toMatchObject({ httpStatus: 400, rpcCode: JsonRpcErrorCode.InvalidRequest });
      expect(err.message).toBe(`Invalid Request: the message nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep.`);
    }
    const inBatch = rejection([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, call(nested(500))]);
    expect(inBatch.message).toContain('(batch item 1)');
  });

  it('rejects 10,000-deep and 1,000,000-deep values without overflowing the stack, fast', () => {
    for (const body of [nested(10_000), nested(10_000, 'object'), call(nested(10_000)), [nested(10_000)], call(nested(1_000_000, 'object'))]) {
      const started = Date.now();
      expect(rejection(body).message).toMatch(/levels deep/);
      expect(Date.now() - started).toBeLessThan(500);
    }
    // What a 1 MB body of `[` can hold, as express.json parses it.
    const text = `${'['.repeat(500_000)}${']'.repeat(500_000)}`;
    expect(rejection(JSON.parse(text)).message).toMatch(/levels deep/);
  });

  it('keeps its other 400s', () => {
    expect(rejection(null).message).toMatch(/must be a JSON-RPC 2.0 message/);
    expect(rejection([]).message).toMatch(/empty batch/);
    expect(rejection({ method: 'x' }).message).toMatch(/not a JSON-RPC 2.0 message/);
  });
});

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, not scalars', () => {
    expect(nestsDeeperThan('x', 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan({ a: [1, 'x', null, { b: {} }] }, 3)).toBe(true);
    expect(nestsDeeperThan({ a: [1, 'x', null, { b: {} }] }, 4)).toBe(false);
    expect(nestsDeeperThan(JSON.parse('{"__proto__":{"a":{"b":{}}}}'), 3)).toBe(true);
  });

  it('looks at every branch of a wide value', () => {
    const wide = Array.from({ length: 1000 }, (_, i) => (i === 999 ? nested(10) : { x: i }));
    expect(nestsDeeperThan(wide, 10)).toBe(true);
    expect(nestsDeeperThan(wide, 11)).toBe(false);
  });
});

describe('callsWithProgress', () => {
  const withMeta = (meta: unknown) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 't', _meta: meta } });
  it('is true only for a tools/call request carrying _meta.progressToken (0 and "" included)', () => {
    expect(callsWithProgress(parseJsonRpcBody(withMeta({ progressToken: 'p' })))).toBe(true);
    expect(callsWithProgress(parseJsonRpcBody(withMeta({ progressToken: 0 })))).toBe(true);
    expect(callsWithProgress(parseJsonRpcBody([call({}), withMeta({ progressToken: '' })]))).toBe(true);
    expect(callsWithProgress(parseJsonRpcBody(call({})))).toBe(false);
    expect(callsWithProgress(parseJsonRpcBody(withMeta({})))).toBe(false);
    expect(callsWithProgress(parseJsonRpcBody({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: { progressToken: 'p' } } }))).toBe(false);
    expect(callsWithProgress(parseJsonRpcBody({ jsonrpc: '2.0', method: 'tools/call', params: { name: 't', _meta: { progressToken: 'p' } } }))).toBe(false);
  });
});
