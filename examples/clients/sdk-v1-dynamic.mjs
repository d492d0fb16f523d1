// Dynamic mode with the SDK v1 client: enable tools, then use the refreshed list. The client
// re-lists by itself when the server announces notifications/tools/list_changed (listChanged option).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const url = process.env.MCP_URL ?? 'http://localhost:3000/mcp/dynamic';
let tools;
let refreshed;
const listed = new Promise((resolve) => (refreshed = resolve));
const client = new Client(
  { name: 'my-agent', version: '1.0.0' },
  { listChanged: { tools: { onChanged: (error, list) => error || ((tools = list), refreshed()) } } },
);
await client.connect(
  new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${process.env.TOKEN}` } },
  }),
);
tools = (await client.listTools()).tools; // enable-tools, search-actions, describe-actions
const found = await client.callTool({ name: 'search-actions', arguments: { query: 'read my latest emails' } });
console.log('found:', found.structuredContent.results.map((r) => r.tool).join(', '));
await client.callTool({ name: 'enable-tools', arguments: { tools: ['gmail_list-emails'] } });
await listed; // the list_changed refresh (or call client.listTools() again yourself)
console.log('tools:', tools.map((t) => t.name).join(', '));
const result = await client.callTool({ name: 'gmail_list-emails', arguments: { maxResults: 5 } });
console.log('result:', JSON.stringify(result.structuredContent));
await client.close();
