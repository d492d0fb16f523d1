// Vercel AI SDK (@ai-sdk/mcp): the server's tools as AI SDK tools, e.g. for generateText({ tools }).
import { createMCPClient } from '@ai-sdk/mcp';

const url = process.env.MCP_URL ?? 'http://localhost:3000/mcp'; // or /mcp/search, /mcp/dynamic; ?apps=gmail,slack
// Search mode: TOOL=run-read-action ARGS='{"tool":"gmail_list-emails","arguments":{}}'
const tool = process.env.TOOL ?? 'gmail_list-emails';
const args = JSON.parse(process.env.ARGS ?? '{"maxResults":5}');

const mcp = await createMCPClient({
  transport: { type: 'http', url, headers: { Authorization: `Bearer ${process.env.TOKEN}` } },
});
const tools = await mcp.tools(); // pass to generateText({ model, tools, prompt })
console.log('tools:', Object.keys(tools).join(', '));
// What the model's tool call runs:
const result = await tools[tool].execute(args, { toolCallId: 'call-1', messages: [] });
console.log('result:', JSON.stringify(result.structuredContent ?? result.content));
await mcp.close();
