// MCP TypeScript SDK v1 (@modelcontextprotocol/sdk): list the tools, call one.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const url = process.env.MCP_URL ?? 'http://localhost:3000/mcp'; // or /mcp/search, /mcp/dynamic; ?apps=gmail,slack
// Search mode: TOOL=run-read-action ARGS='{"tool":"gmail_list-emails","arguments":{}}'
const tool = process.env.TOOL ?? 'gmail_list-emails';
const args = JSON.parse(process.env.ARGS ?? '{"maxResults":5}');

const client = new Client({ name: 'my-agent', version: '1.0.0' });
await client.connect(
  new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${process.env.TOKEN}` } },
  }),
);
const { tools } = await client.listTools();
console.log('tools:', tools.map((t) => t.name).join(', '));
const result = await client.callTool({ name: tool, arguments: args });
console.log('result:', JSON.stringify(result.structuredContent ?? result.content));
await client.close();
