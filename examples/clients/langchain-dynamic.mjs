// Dynamic mode with LangChain: getTools() loads the list once per connection, so load it again
// from the same session with loadMcpTools after enable-tools.
import { MultiServerMCPClient, loadMcpTools } from '@langchain/mcp-adapters';

const url = process.env.MCP_URL ?? 'http://localhost:3000/mcp/dynamic';
const client = new MultiServerMCPClient({
  mcpServers: {
    'integration-app': { transport: 'http', url, headers: { Authorization: `Bearer ${process.env.TOKEN}` } },
  },
});
let tools = await client.getTools(); // enable-tools, search-actions, describe-actions
await tools.find((t) => t.name === 'enable-tools').invoke({ tools: ['gmail_list-emails'] });
tools = await loadMcpTools('integration-app', await client.getClient('integration-app')); // re-list
console.log('tools:', tools.map((t) => t.name).join(', '));
const result = await tools.find((t) => t.name === 'gmail_list-emails').invoke({ maxResults: 5 });
console.log('result:', typeof result === 'string' ? result : JSON.stringify(result));
await client.close();
