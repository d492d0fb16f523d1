/**
 * CPU per request of deciding a request's era and building the 2026-07-28 era's Web `Request`, in
 * process: the SDK's `toWebRequest` + `isLegacyRequest` (before) against `classifyInboundRequest` +
 * `webRequestView` (src/mcp/sdk/to-web-request.request-view.ts, now), alternating, twice.
 * `npx ts-node --transpile-only bench/stateless-classify.ts` (BENCH_N: 50,000 requests a round).
 */
import { toWebRequest } from '@modelcontextprotocol/node';
import { classifyInboundRequest, isLegacyRequest } from '@modelcontextprotocol/server';
import { webRequestView } from '../src/mcp/sdk/to-web-request.request-view';

const meta = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const body = { jsonrpc: '2.0', id: 12, method: 'tools/call', params: { name: 'slack_list-channels', arguments: {}, _meta: meta } };
const req = {
  method: 'POST',
  url: '/mcp',
  headers: {
    host: '127.0.0.1:3000',
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    authorization: `Bearer ${'x'.repeat(300)}`,
    'content-length': '400',
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': 'slack_list-channels',
    connection: 'keep-alive',
  },
};

async function before(): Promise<unknown> {
  const request = await toWebRequest(req as never, body, { signal: new AbortController().signal });
  return (await isLegacyRequest(request, body)) ? undefined : request;
}

async function now(): Promise<unknown> {
  const { headers } = req;
  const route = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader: headers['mcp-protocol-version'],
    mcpMethodHeader: headers['mcp-method'],
    mcpNameHeader: headers['mcp-name'],
    body,
  });
  return route.kind === 'legacy' ? undefined : webRequestView(req, new AbortController().signal);
}

(async () => {
  const n = Number(process.env.BENCH_N ?? 50_000);
  for (const [name, fn] of [
    ['before', before],
    ['now', now],
    ['before', before],
    ['now', now],
  ] as const) {
    for (let i = 0; i < n / 2; i++) await fn();
    const cpu = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const used = process.cpuUsage(cpu);
    console.log(`${name.padEnd(6)} ${((used.user + used.system) / n).toFixed(1)} µs CPU per request`);
  }
})();
