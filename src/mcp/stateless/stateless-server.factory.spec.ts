import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMcpHandler, type McpHttpHandler, type Server } from '@modelcontextprotocol/server';
import type { IntegrationAppConfig } from '../../config/app.config';
import type { ToolRegistry } from '../../tools/tool-registry';
import type { ToolContext } from '../../tools/tool-source';
import { jsonAnswerBody } from '../sdk/per-request-transport-send.json-answer';
import { handOff, StatelessServerFactory, type StatelessRequest } from './stateless-server.factory';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const REVISION = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': REVISION,
  'io.modelcontextprotocol/clientInfo': { name: 'spec', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** The registry surface the factory uses: one tool that answers with its arguments. */
const registry = {
  definition: async (_ctx: ToolContext, name: string) => (name === 'echo' ? { name, inputSchema: { type: 'object' } } : undefined),
  list: async () => [{ name: 'echo', inputSchema: { type: 'object' } }],
  call: async (_ctx: ToolContext, _name: string, args: Record<string, unknown> | undefined) => ({
    content: [{ type: 'text', text: JSON.stringify(args ?? {}) }],
  }),
} as unknown as ToolRegistry;

const config = { workspaceSecret: undefined, catalogTtlSeconds: 300 } as unknown as IntegrationAppConfig;

function requestState(): StatelessRequest {
  const ctx: ToolContext = {
    identity: { key: 'k'.repeat(64) } as ToolContext['identity'],
    token: 't',
    era: 'stateless',
    mode: 'static',
    apps: null,
    enabledTools: [],
  };
  return { ctx, outcome: { fail: () => undefined }, call: 'echo' };
}

/** Every `authInfo` handed to the SDK, kept as the exchange's own closures may keep it. */
const kept: object[] = [];

/** A tools/call through `createMcpHandler` with the factory, as the transport hands it off; returns the answer's text. */
async function call(handler: McpHttpHandler, state: StatelessRequest): Promise<string> {
  const body = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { a: 1 }, _meta: META } };
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': REVISION,
    'mcp-method': 'tools/call',
    'mcp-name': 'echo',
  };
  const { authInfo, release } = handOff(state);
  kept.push(authInfo);
  const response = await handler.fetch(new Request('http://127.0.0.1/mcp', { method: 'POST', headers }), { authInfo, parsedBody: body });
  const text = jsonAnswerBody(response) ?? (await response.text());
  release();
  return text;
}

async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return ref.deref() === undefined;
}

describe('StatelessServerFactory: a per-request server lets go of its request when the exchange closes', () => {
  const factory = new StatelessServerFactory(registry, config);
  const servers: Server[] = [];
  const handler = createMcpHandler(
    async (request) => {
      const product = await factory.create(request);
      servers.push('server' in product ? product.server : product);
      return product;
    },
    { legacy: 'reject' },
  );
  afterAll(() => handler.close());

  it('answers the call; afterwards neither the finished server nor the authInfo handed to the SDK (both still referenced) keeps the request alive', async () => {
    // The request exists only inside this call; afterwards the test holds just a weak reference to it.
    const { answer, ref } = await (async () => {
      const state = requestState();
      return { answer: await call(handler, state), ref: new WeakRef(state) };
    })();
    expect(answer).toContain('{\\"a\\":1}');
    // The server object itself stays reachable here (V8 sometimes keeps a closed one for a while);
    // what it referenced of the request must not.
    expect(servers).toHaveLength(1);
    expect(await collected(ref)).toBe(true);
  });
});
