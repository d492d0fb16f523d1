// Dynamic mode with the OpenAI Agents SDK: leave cacheToolsList off (the default), so the agent
// lists the tools again on every run and sees what enable-tools added.
import { MCPServerStreamableHttp } from '@openai/agents';

const url = process.env.MCP_URL ?? 'http://localhost:3000/mcp?mode=dynamic';
const server = new MCPServerStreamableHttp({
  name: 'integration-app',
  url,
  requestInit: { headers: { Authorization: `Bearer ${process.env.TOKEN}` } },
});
await server.connect();
await server.listTools(); // enable-tools, search-actions, describe-actions
await server.callTool('enable-tools', { tools: ['gmail_list-emails'] });
const tools = await server.listTools(); // listed again: now with gmail_list-emails
console.log('tools:', tools.map((t) => t.name).join(', '));
const result = await server.callTool('gmail_list-emails', { maxResults: 5 });
console.log('result:', JSON.stringify(result));
await server.close();
