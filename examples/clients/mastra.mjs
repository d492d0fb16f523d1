// Mastra (@mastra/mcp): the server's tools for a Mastra agent, new Agent({ tools: await mcp.listTools() }).
import { MCPClient } from '@mastra/mcp';

const url = process.env.MCP_URL ?? 'http://localhost:3000/mcp'; // or /mcp/search, /mcp/dynamic
// Search mode: TOOL=run-read-action ARGS='{"tool":"gmail_list-emails","arguments":{}}'
const tool = process.env.TOOL ?? 'gmail_list-emails';
const args = JSON.parse(process.env.ARGS ?? '{"maxResults":5}');

const mcp = new MCPClient({
  servers: {
    integrationApp: {
      url: new URL(url),
      requestInit: { headers: { Authorization: `Bearer ${process.env.TOKEN}` } },
    },
  },
});
const { toolsets, errors } = await mcp.listToolsetsWithErrors(); // listTools() names them integrationApp_<tool>
if (Object.keys(errors).length) throw new Error(JSON.stringify(errors));
const tools = toolsets.integrationApp;
console.log('tools:', Object.keys(tools).join(', '));
// What the agent's tool call runs:
const result = await tools[tool].execute(args, {});
console.log('result:', JSON.stringify(result.structuredContent ?? result.content ?? result));
await mcp.disconnect();
