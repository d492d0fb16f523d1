import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, JSONRPCMessage, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { JsonExchangeTransport, ProtocolDispatch } from './protocol-dispatch.json-exchange.transport';
import { waitFor } from '../../../test/support/wait';

function server(): Server {
  const s = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
  s.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [] }));
  s.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    if (req.params.name === 'forever') {
      await new Promise((_, reject) => extra.signal.addEventListener('abort', () => reject(new Error(`aborted: ${String(extra.signal.reason)}`))));
    }
    await new Promise((r) => setTimeout(r, req.params.name === 'slow' ? 20 : 0));
    return { content: [{ type: 'text', text: req.params.name }] };
  });
  return s;
}

const call = (id: number, name: string): JSONRPCMessage => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });

describe('JsonExchangeTransport', () => {
  it('still finds the SDK Protocol dispatch methods it calls directly', () => {
    const s = server() as unknown as ProtocolDispatch;
    expect(typeof s._onrequest).toBe('function');
    expect(typeof s._onnotification).toBe('function');
  });

  it('answers requests straight through the SDK dispatch, without the generic onmessage guards', async () => {
    const s = server();
    const transport = new JsonExchangeTransport(s as unknown as ProtocolDispatch);
    await s.connect(transport);
    transport.onmessage = () => {
      throw new Error('generic onmessage path used');
    };
    const [res] = await transport.exchange([call(1, 'fast')], {});
    expect(res).toMatchObject({ id: 1, result: { content: [{ text: 'fast' }] } });
  });

  it('returns batch responses in request order and nothing for notifications', async () => {
    const s = server();
    const transport = new JsonExchangeTransport(s as unknown as ProtocolDispatch);
    await s.connect(transport);
    const responses = await transport.exchange([call('a' as never, 'slow'), { jsonrpc: '2.0', method: 'notifications/initialized' }, call(2, 'fast')], {});
    expect(responses.map((r) => (r as { id: unknown }).id)).toEqual(['a', 2]);
    expect(await transport.exchange([{ jsonrpc: '2.0', method: 'notifications/initialized' }], {})).toEqual([]);
  });

  it('falls back to the SDK onmessage path when no dispatch methods are given', async () => {
    const s = server();
    const transport = new JsonExchangeTransport();
    await s.connect(transport);
    const [res] = await transport.exchange([{ jsonrpc: '2.0', id: 7, method: 'tools/list' }], {});
    expect(res).toMatchObject({ id: 7, result: { tools: [] } });
  });

  it('keeps the SDK request validation (a tools/call without a name is an error naming params.name)', async () => {
    const s = server();
    const transport = new JsonExchangeTransport(s as unknown as ProtocolDispatch);
    await s.connect(transport);
    const [res] = await transport.exchange([{ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { arguments: {} } }], {});
    expect((res as { error?: { message?: string } }).error?.message).toMatch(/params[\s\S]*name/);
  });

  it('cancels one request the protocol way: its handler is aborted and the exchange stops waiting for it', async () => {
    const s = server();
    let aborted: unknown;
    s.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
      if (req.params.name !== 'forever') return { content: [{ type: 'text', text: req.params.name }] };
      return new Promise((_, reject) =>
        extra.signal.addEventListener('abort', () => {
          aborted = extra.signal.reason;
          reject(new Error('aborted'));
        }),
      );
    });
    const transport = new JsonExchangeTransport(s as unknown as ProtocolDispatch);
    await s.connect(transport);
    const pending = transport.exchange([call(1, 'forever'), call(2, 'fast')], {});
    await waitFor('the fast call to be answered', () => transport.pending.length === 1);
    expect(transport.pending).toEqual([1]);
    expect(transport.cancel(1, 'user pressed stop')).toBe(true);
    const responses = await pending;
    expect(responses.map((r) => (r as { id: unknown }).id)).toEqual([2]);
    await waitFor('the handler to see the abort', () => aborted !== undefined);
    expect(aborted).toBe('user pressed stop');
    expect(transport.cancel(1)).toBe(false);
  });
});
