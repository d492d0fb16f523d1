// LangChain (@langchain/mcp-adapters): the server's tools as LangChain tools, e.g. for createAgent({ tools }).
import { MultiServerMCPClient } from '@langchain/mcp-adapters';

const url = process.env.MCP_URL ?? 'http://localhost:3000/mcp'; // or /mcp/search, /mcp/dynamic; ?apps=gmail,slack
// Search mode: TOOL=run-read-action ARGS='{"tool":"gmail_list-emails","arguments":{}}'
const tool = process.env.TOOL ?? 'gmail_list-emails';
const args = JSON.parse(process.env.ARGS ?? '{"maxResults":5}');

const client = new MultiServerMCPClient({
  mcpServers: {
    'integration-app': { transport: 'http', url, headers: { Authorization: `Bearer ${process.env.TOKEN}` } },
  },
});
const tools = await client.getTools();
console.log('tools:', tools.map((t) => t.name).join(', '));
// What the agent's tool call runs:
const result = await tools.find((t) => t.name === tool).invoke(args);
console.log('result:', typeof result === 'string' ? result : JSON.stringify(result));
await client.close();
