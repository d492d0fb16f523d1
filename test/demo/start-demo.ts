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

/** The demo's actions that fail on purpose, so users see what errors look like. */
const RATE_LIMITED_TOOL = 'hubspot_list-deals';
const FAILING_TOOL = 'notion_export-page';
/** The MCP Inspector the banner names (its CLI and UI; Node >= 22.19). */
const INSPECTOR = '@modelcontextprotocol/inspector@2.12.0';

/**
 * The copy-paste curl session: initialize (the session id comes back in a header), initialized,
 * tools/list, tools/call. Plain bash/zsh; `$TOKEN` must be exported first.
 */
function curlSession(base: string): string[] {
  const init = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
  });
  return [
    `H=(-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')`,
    `SID=$(curl -s -D - -o /dev/null "\${H[@]}" ${base}/mcp -d '${init}' | awk 'tolower($1)=="mcp-session-id:" {print $2}' | tr -d '\\r')`,
    `curl -s -w '\\n' "\${H[@]}" -H "Mcp-Session-Id: $SID" ${base}/mcp -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'`,
    `curl -s -w '\\n' "\${H[@]}" -H "Mcp-Session-Id: $SID" ${base}/mcp -d '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'`,
    `curl -s -w '\\n' "\${H[@]}" -H "Mcp-Session-Id: $SID" ${base}/mcp -d '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"gmail_list-emails","arguments":{}}}'`,
  ];
}

/** One stateless 2026-07-28 request (no initialize, no session): the same tools/call, standing alone. */
function curlStateless(base: string): string {
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
  const call = JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'gmail_list-emails', arguments: {}, _meta: meta } });
  return `curl -s -w '\\n' "\${H[@]}" -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/call' -H 'Mcp-Name: gmail_list-emails' ${base}/mcp -d '${call}'`;
}

async function main(): Promise<void> {
  const testMode = process.argv.includes('--test');
  // Quiet unless asked: the banner (with the token) is what a new user reads, and must not scroll
  // away. Only errors are printed; DEMO_VERBOSE=1 shows the warn, info and audit lines (one per tool
  // call). An explicit LOG_LEVEL or AUDIT_LOG still wins.
  if (testMode || process.env.DEMO_VERBOSE !== '1') {
    process.env.LOG_LEVEL ??= 'error';
    process.env.AUDIT_LOG ??= 'false';
  }
  const fixture: Fixture = testMode ? e2eFixture() : JSON.parse(readFileSync(join(__dirname, '../emulator/fixtures/demo.json'), 'utf8'));
  const workspace = fixture.workspaces[0];
  const emulator = await startEmulator({ fixture, latencyMs: Number(process.env.DEMO_LATENCY_MS ?? 0) });

  process.env.INTEGRATION_APP_API_URL = emulator.url;
  // connect-app's links lead to the emulator's connection page (a button), so a person can connect an app.
  process.env.INTEGRATION_APP_UI_URL ??= emulator.url;
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
    const apps = [...new Set(firstCustomer.connections.filter((c) => !c.disconnected && !c.archived).map((c) => c.integrationKey))];
    const notConnected = workspace.integrations.map((i) => i.key).filter((k) => !apps.includes(k));
    const line = '─'.repeat(78);
    // Printed after start-up, so it is the last thing on the screen (logs are quiet unless asked for).
    await new Promise((r) => setImmediate(r));
    process.stdout.write(
      [
        '',
        line,
        ` Integration.app MCP server — demo (embedded Integration.app emulator at ${emulator.url}, no network needed)`,
        line,
        ` MCP URL    ${base}/mcp           Streamable HTTP (legacy SSE: ${base}/sse)`,
        ` Search     ${base}/mcp/search    7 fixed tools: search-actions, describe-actions, run-read-action, run-action, list-apps, connect-app, get-action-result`,
        ` Connect    ${notConnected.join(', ')}: not connected yet — call connect-app (search mode), open its link, press Connect`,
        ` Dynamic    ${base}/mcp/dynamic   enable-tools adds tools to the session (session-era clients)`,
        ` Customer   ${firstCustomer.id} (${firstCustomer.name ?? ''}): ${apps.join(', ')}`,
        ` Errors     ${RATE_LIMITED_TOOL} is rate limited (HTTP 429), ${FAILING_TOOL} fails upstream: call them to see what agents get`,
        '',
        ` 1. The token of ${firstCustomer.id} (valid 7 days):`,
        `    export TOKEN=${token}`,
        '',
        ' 2. curl: initialize → initialized → tools/list → tools/call (bash or zsh)',
        ...curlSession(base).map((l) => `    ${l}`),
        '    # the same call in the stateless 2026-07-28 revision: no initialize, no session id',
        `    ${curlStateless(base)}`,
        '',
        ' 3. MCP Inspector:',
        `    npx -y ${INSPECTOR} --cli ${base}/mcp --transport http --header "Authorization: Bearer $TOKEN" --method tools/list`,
        `    npx -y ${INSPECTOR}    (UI: Streamable HTTP, URL ${base}/mcp, header Authorization = "Bearer " + the token above)`,
        '',
        ' Claude Desktop, Claude Code, Cursor, VS Code, AI SDK, LangChain, OpenAI Agents, Mastra: docs/clients.md',
        ...workspace.customers.slice(1).map((c) => ` Token of ${c.id} (${c.name ?? ''}): ${tokens[c.id]}`),
        ' Logs: DEMO_VERBOSE=1 npm run start:demo (warn, info and one audit line per tool call)',
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
