// Dynamic mode with the AI SDK: mcp.tools() is a snapshot, so list again after enable-tools
// (between steps or turns, e.g. in prepareStep or before the next generateText call).
// AI SDK 2 picks the 2026-07-28 revision itself, where /mcp/dynamic serves the search tools:
// protocolVersionDiscovery: false keeps the session era, the one with enable-tools.
import { createMCPClient } from '@ai-sdk/mcp';

const url = process.env.MCP_URL ?? 'http://localhost:3000/mcp/dynamic';
const mcp = await createMCPClient({
  protocolVersionDiscovery: false,
  transport: { type: 'http', url, headers: { Authorization: `Bearer ${process.env.TOKEN}` } },
});
const call = { toolCallId: 'call-1', messages: [] };
let tools = await mcp.tools(); // enable-tools, search-actions, describe-actions
await tools['enable-tools'].execute({ tools: ['gmail_list-emails'] }, call);
tools = await mcp.tools(); // re-list: now with gmail_list-emails
console.log('tools:', Object.keys(tools).join(', '));
const result = await tools['gmail_list-emails'].execute({ maxResults: 5 }, call);
console.log('result:', JSON.stringify(result.structuredContent));
await mcp.close();
