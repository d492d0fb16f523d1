// OpenAI Agents SDK (@openai/agents): the server as an agent's MCP server, new Agent({ mcpServers: [server] }).
import { MCPServerStreamableHttp } from '@openai/agents';

const url = process.env.MCP_URL ?? 'http://localhost:3000/mcp'; // or /mcp/search, /mcp/dynamic; ?apps=gmail,slack
// Search mode: TOOL=run-read-action ARGS='{"tool":"gmail_list-emails","arguments":{}}'
const tool = process.env.TOOL ?? 'gmail_list-emails';
const args = JSON.parse(process.env.ARGS ?? '{"maxResults":5}');

const server = new MCPServerStreamableHttp({
  name: 'integration-app',
  url,
  requestInit: { headers: { Authorization: `Bearer ${process.env.TOKEN}` } },
  cacheToolsList: true, // fine for /mcp and /mcp/search (a fixed list)
});
await server.connect();
const tools = await server.listTools();
console.log('tools:', tools.map((t) => t.name).join(', '));
// What the agent's tool call runs:
const result = await server.callTool(tool, args);
console.log('result:', JSON.stringify(result));
await server.close();
