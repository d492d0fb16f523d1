/**
 * `npm run start:demo`: the MCP server plus an embedded Integration.app emulator serving a demo
 * workspace. No credentials, no network. `--test` (npm run start:test) serves the e2e workspace
 * instead and prints one JSON line with the URL and tokens, for scripts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../emulator/emulator';
import type { Fixture } from '../emulator/fixture.types';
import { e2eFixture } from '../support/e2e-fixture';

async function main(): Promise<void> {
  const testMode = process.argv.includes('--test');
  if (testMode) process.env.LOG_LEVEL ??= 'warn';
  const fixture: Fixture = testMode ? e2eFixture() : JSON.parse(readFileSync(join(__dirname, '../emulator/fixtures/demo.json'), 'utf8'));
  const workspace = fixture.workspaces[0];
  const emulator = await startEmulator({ fixture, latencyMs: Number(process.env.DEMO_LATENCY_MS ?? 0) });

  process.env.INTEGRATION_APP_API_URL = emulator.url;
  process.env.INTEGRATION_APP_WORKSPACE_KEY = workspace.key;
  process.env.INTEGRATION_APP_WORKSPACE_SECRET ??= workspace.secret;
  process.env.PORT ??= '3000';
  process.env.HOST ??= '127.0.0.1';
  const { bootstrap } = await import('../../src/bootstrap');
  const app = await bootstrap();

  const base = `http://localhost:${process.env.PORT}`;
  const tokens = Object.fromEntries(workspace.customers.map((c) => [c.id, emulator.token(c.id, { expiresInSeconds: 7 * 24 * 3600 })]));
  const [firstCustomer] = workspace.customers;
  const token = tokens[firstCustomer.id];

  if (testMode) {
    process.stdout.write(`${JSON.stringify({ url: base, emulator: emulator.url, tokens })}\n`);
  } else {
    const line = '─'.repeat(78);
    process.stdout.write(
      [
        '',
        line,
        ` Integration.app MCP server — demo workspace "${workspace.key}" (embedded emulator at ${emulator.url})`,
        line,
        ` MCP endpoint:   ${base}/mcp          (Streamable HTTP, recommended)`,
        ` Legacy SSE:     ${base}/sse`,
        ` Customers:      ${workspace.customers.map((c) => `${c.id} (${c.name ?? ''})`).join(', ')}`,
        '',
        ` Token for ${firstCustomer.id} (valid 7 days):`,
        ` ${token}`,
        '',
        ' Try it:',
        `   export TOKEN=${token}`,
        '',
        `   npx @modelcontextprotocol/inspector   → Transport "Streamable HTTP", URL ${base}/mcp,`,
        `                                           header "Authorization: Bearer $TOKEN"`,
        '',
        `   curl -s -X POST ${base}/mcp \\`,
        '     -H "Authorization: Bearer $TOKEN" \\',
        "     -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\",
        `     -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}' -i`,
        '',
        ' Claude Desktop / Cursor (mcp.json):',
        `   { "mcpServers": { "integration-app": { "url": "${base}/sse?token=${token}" } } }`,
        `   Cursor (Streamable HTTP): { "mcpServers": { "integration-app": { "url": "${base}/mcp",`,
        `                               "headers": { "Authorization": "Bearer ${token}" } } } }`,
        '',
        ` Search mode (4 fixed tools: search, describe, run): ${base}/mcp?mode=search`,
        ` Dynamic mode: ${base}/mcp?mode=dynamic     Only some apps: ${base}/mcp?apps=gmail,slack`,
        line,
        ' All tokens (JSON):',
        ` ${JSON.stringify(tokens)}`,
        line,
        '',
      ].join('\n'),
    );
  }

  const stop = async () => {
    await app.close();
    await emulator.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`Demo failed to start: ${err.message}\n`);
  process.exit(1);
});
