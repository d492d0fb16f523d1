import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, JSONRPCMessage, ListToolsRequestSchema, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { JsonExchangeTransport, ProtocolDispatch } from './protocol-dispatch.json-exchange.transport';
import { hookProtocolRequests, ProtocolRequestHooks } from './protocol-dispatch.hooks';

/** Parity of the hooks with the pinned SDK: every request, answer, cancellation and close passes through them. */
function recordingHooks() {
  const events: string[] = [];
  const hooks: ProtocolRequestHooks = {
    request: (request, _extra, dispatch) => {
      events.push(`request ${request.method} ${request.id}`);
      dispatch();
    },
    response: (m) => events.push(`${'error' in m ? 'error' : 'result'} ${m.id}`),
    abandoned: (id: RequestId | undefined, reason) => events.push(`${reason} ${id ?? '*'}`),
  };
  return { events, hooks };
}

function server(): { server: Server; release: () => void } {
  const s = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
  const gate = { release: () => undefined as void };
  s.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'slow', inputSchema: { type: 'object' as const } }] }));
  s.setRequestHandler(CallToolRequestSchema, async (_request, extra) => {
    await new Promise<void>((resolve) => {
      gate.release = resolve;
      extra.signal.addEventListener('abort', () => resolve());
    });
    return { content: [] };
  });
  return { server: s, release: () => gate.release() };
}

describe('hookProtocolRequests (SDK Server internals, pinned SDK)', () => {
  it('sees requests and answers dispatched directly (JsonExchangeTransport), cancellations and closes', async () => {
    const { server: s, release } = server();
    const transport = new JsonExchangeTransport(s as unknown as ProtocolDispatch);
    await s.connect(transport);
    const { events, hooks } = recordingHooks();
    expect(hookProtocolRequests(s, hooks)).toBe(true);
    const messages: JSONRPCMessage[] = [
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 2, method: 'nope' },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: {} },
    ];
    await transport.exchange(messages, {});
    // Unknown methods are answered synchronously, the others after their handlers: compare as sets.
    expect([...events].sort()).toEqual(['error 2', 'error 3', 'request nope 2', 'request tools/call 3', 'request tools/list 1', 'result 1']);

    events.length = 0;
    const pending = transport.exchange([{ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'slow' } }], {});
    await new Promise((r) => setTimeout(r, 5));
    transport.cancel(4);
    await pending;
    release();
    const more = transport.exchange([{ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'slow' } }], {});
    await new Promise((r) => setTimeout(r, 5));
    await transport.close();
    await more;
    expect(events).toEqual(['request tools/call 4', 'cancelled 4', 'request tools/call 5', 'closed *']);
  });

  it('sees what arrives through the SDK transports (onmessage), with the real client', async () => {
    const { server: s, release } = server();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await s.connect(serverSide);
    const { events, hooks } = recordingHooks();
    expect(hookProtocolRequests(s, hooks)).toBe(true);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(clientSide);
    await client.listTools();
    const aborted = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: {} }, undefined, { signal: aborted.signal });
    await new Promise((r) => setTimeout(r, 5));
    aborted.abort('enough');
    await expect(call).rejects.toThrow();
    release();
    await client.close();
    expect(events).toEqual(['request initialize 0', 'result 0', 'request tools/list 1', 'result 1', 'request tools/call 2', 'cancelled 2', 'closed *']);
  });

  it('refuses (and leaves alone) something that is not a connected SDK Server', () => {
    const unconnected = new Server({ name: 't', version: '1' }, { capabilities: {} });
    expect(hookProtocolRequests(unconnected, recordingHooks().hooks)).toBe(false);
    expect(hookProtocolRequests({}, recordingHooks().hooks)).toBe(false);
  });
});
