// MCP TypeScript SDK v2 pinned to the stateless 2026-07-28 revision: no initialize, no session —
// every request stands alone (any replica answers it). In this revision dynamic mode serves the
// search tools. `mode: 'auto'` instead of the pin negotiates: 2026-07-28 here, 2025-11-25 elsewhere.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const url = process.env.MCP_URL ?? 'http://localhost:3000/mcp'; // or /mcp/search, /mcp/dynamic; ?apps=gmail,slack
// Search mode: TOOL=run-read-action ARGS='{"tool":"gmail_list-emails","arguments":{}}'
const tool = process.env.TOOL ?? 'gmail_list-emails';
const args = JSON.parse(process.env.ARGS ?? '{"maxResults":5}');

const client = new Client({ name: 'my-agent', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
await client.connect(
  new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${process.env.TOKEN}` } },
  }),
);
const { tools } = await client.listTools(); // cacheable for its ttlMs (the server's catalog TTL)
console.log('tools:', tools.map((t) => t.name).join(', '));
const result = await client.callTool({ name: tool, arguments: args });
console.log('result:', JSON.stringify(result.structuredContent ?? result.content));
await client.close();
