// Dynamic mode with Mastra: @mastra/mcp 2 picks the 2026-07-28 revision itself, where /mcp/dynamic
// serves the search tools; protocolVersion: 'legacy' keeps the session era, the one with enable-tools.
// Tools are a snapshot: list again after enable-tools (before the agent's next turn).
import { MCPClient } from '@mastra/mcp';

const url = process.env.MCP_URL ?? 'http://localhost:3000/mcp/dynamic';
const mcp = new MCPClient({
  servers: {
    integrationApp: {
      url: new URL(url),
      protocolVersion: 'legacy',
      requestInit: { headers: { Authorization: `Bearer ${process.env.TOKEN}` } },
    },
  },
});
let tools = (await mcp.listToolsets()).integrationApp; // enable-tools, search-actions, describe-actions
await tools['enable-tools'].execute({ tools: ['gmail_list-emails'] }, {});
tools = (await mcp.listToolsets()).integrationApp; // listed again: now with gmail_list-emails
console.log('tools:', Object.keys(tools).join(', '));
const result = await tools['gmail_list-emails'].execute({ maxResults: 5 }, {});
console.log('result:', JSON.stringify(result.structuredContent ?? result.content ?? result));
await mcp.disconnect();
