import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startEmulator, Emulator } from './emulator/emulator';
import type { Fixture } from './emulator/fixture.types';
import { startApp, RunningApp } from './support/app';

// Each test starts Node processes (a client library each); on a busy 2-core machine that takes seconds.
jest.setTimeout(60_000);

const ROOT = join(__dirname, '..');
const CLIENTS = join(ROOT, 'examples', 'clients');
/** The host the snippets are written for; the tests swap in the test server's. */
const WRITTEN_FOR = 'http://localhost:3000';
const snippet = (file: string) => readFileSync(join(CLIENTS, file), 'utf8');

const SEARCH_TOOLS = ['search-actions', 'describe-actions', 'run-read-action', 'run-action', 'get-action-result', 'list-apps', 'connect-app'];
const DYNAMIC_TOOLS_AFTER_ENABLE = ['enable-tools', 'search-actions', 'describe-actions', 'gmail_list-emails'];
/** What gmail_list-emails returns in the demo workspace. */
const EMAILS = 'Quarterly report';

function run(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

/** Runs a Node snippet of examples/clients as a user would (`node file.mjs`); returns its "tools:" and "result:" lines. */
async function runNodeSnippet(file: string, env: Record<string, string>): Promise<{ tools: string[]; result: string }> {
  const out = await run(process.execPath, [join(CLIENTS, file)], env);
  const line = (prefix: string) =>
    out
      .split('\n')
      .find((l) => l.startsWith(prefix))
      ?.slice(prefix.length) ?? '';
  return { tools: line('tools: ').split(', '), result: line('result: ') };
}

async function listAndCall(client: Client): Promise<{ tools: string[]; text: string }> {
  const tools = (await client.listTools()).tools.map((t) => t.name);
  const result = await client.callTool({ name: 'gmail_list-emails', arguments: { maxResults: 5 } });
  return { tools, text: JSON.stringify(result) };
}

/**
 * Every recipe of docs/clients.md against the demo workspace: the snippets in examples/clients (which
 * docs/clients.md quotes verbatim, checked below) run through each client library's own API — static,
 * search and dynamic mode. Config-file clients (Cursor, VS Code, Claude Code) cannot run here: their
 * files are parsed and the URL and headers they hold are used by the real SDK client, as those apps do.
 * Claude Desktop's recipe runs for real: mcp-remote as a stdio server, spawned from the config.
 */
describe('docs/clients.md: every recipe, run against the demo workspace', () => {
  let emulator: Emulator;
  let app: RunningApp;
  let base: string;
  let token: string;
  const at = (text: string) => text.split(WRITTEN_FOR).join(base);

  beforeAll(async () => {
    const fixture = JSON.parse(readFileSync(join(__dirname, 'emulator', 'fixtures', 'demo.json'), 'utf8')) as Fixture;
    const [workspace] = fixture.workspaces;
    emulator = await startEmulator({ fixture });
    app = await startApp({
      INTEGRATION_APP_API_URL: emulator.url,
      INTEGRATION_APP_WORKSPACE_KEY: workspace.key,
      INTEGRATION_APP_WORKSPACE_SECRET: workspace.secret,
    });
    base = `http://localhost:${app.port}`;
    token = emulator.token('customer-1');
  });
  afterAll(async () => {
    await app?.close();
    await emulator?.close();
  });

  it('docs/clients.md quotes every snippet verbatim (and the README the AI SDK one)', () => {
    const readme = readFileSync(join(ROOT, 'docs', 'clients.md'), 'utf8');
    for (const file of [
      'claude-desktop.json',
      'claude-code.sh',
      'cursor.json',
      'vscode.json',
      'inspector-cli.sh',
      'sdk-v1.mjs',
      'sdk-v1-dynamic.mjs',
      'sdk-v2.mjs',
      'sdk-v2-stateless.mjs',
      'ai-sdk.mjs',
      'ai-sdk-dynamic.mjs',
      'langchain.mjs',
      'langchain-dynamic.mjs',
      'openai-agents.mjs',
      'mastra.mjs',
      'mastra-dynamic.mjs',
    ]) {
      if (!readme.includes(snippet(file).trim())) throw new Error(`docs/clients.md does not quote examples/clients/${file} verbatim`);
    }
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(snippet('ai-sdk.mjs').trim());
  });

  describe.each(['sdk-v1.mjs', 'sdk-v2.mjs', 'sdk-v2-stateless.mjs', 'ai-sdk.mjs', 'langchain.mjs', 'openai-agents.mjs', 'mastra.mjs'])('%s', (file) => {
    it('static mode: lists the tools and calls one', async () => {
      const { tools, result } = await runNodeSnippet(file, { TOKEN: token, MCP_URL: `${base}/mcp` });
      expect(tools).toEqual(expect.arrayContaining(['gmail_list-emails', 'hubspot_search-contacts', 'notion_export-page']));
      expect(result).toContain(EMAILS);
    });

    it('search mode: the four discovery tools and the two connect tools, the action run through run-read-action', async () => {
      const { tools, result } = await runNodeSnippet(file, {
        TOKEN: token,
        MCP_URL: `${base}/mcp/search`,
        TOOL: 'run-read-action',
        ARGS: JSON.stringify({ tool: 'gmail_list-emails', arguments: {} }),
      });
      expect(tools).toEqual(SEARCH_TOOLS);
      expect(result).toContain(EMAILS);
    });
  });

  it.each(['sdk-v1-dynamic.mjs', 'ai-sdk-dynamic.mjs', 'langchain-dynamic.mjs', 'mastra-dynamic.mjs'])(
    'dynamic mode re-list recipe %s: enable-tools, list again, call the new tool',
    async (file) => {
      const { tools, result } = await runNodeSnippet(file, { TOKEN: token, MCP_URL: `${base}/mcp/dynamic` });
      expect(tools).toEqual(DYNAMIC_TOOLS_AFTER_ENABLE);
      expect(result).toContain(EMAILS);
    },
  );

  it.each(['ai-sdk.mjs', 'openai-agents.mjs', 'mastra.mjs', 'sdk-v2-stateless.mjs'])(
    '%s picks the 2026-07-28 revision itself: /mcp/dynamic serves it the search tools, as docs/clients.md says',
    async (file) => {
      const { tools, result } = await runNodeSnippet(file, {
        TOKEN: token,
        MCP_URL: `${base}/mcp/dynamic`,
        TOOL: 'run-read-action',
        ARGS: JSON.stringify({ tool: 'gmail_list-emails', arguments: {} }),
      });
      expect(tools).toEqual(SEARCH_TOOLS);
      expect(result).toContain(EMAILS);
    },
  );

  it('OpenAI Agents on a mode path: the model reads the error text of a misspelled action (with ?mode= the SDK redacts errors)', async () => {
    const { result } = await runNodeSnippet('openai-agents.mjs', {
      TOKEN: token,
      MCP_URL: `${base}/mcp/search`,
      TOOL: 'run-action',
      ARGS: JSON.stringify({ tool: 'gmail_list-emial', arguments: {} }),
    });
    expect(result).toContain('Unknown action \\"gmail_list-emial\\"');
    expect(result).toContain('Did you mean: gmail_list-emails?');
    expect(result).not.toContain('redacted');
  });

  it('Claude Desktop: the mcp-remote config, spawned as the stdio server Claude Desktop runs', async () => {
    const server = (
      JSON.parse(at(snippet('claude-desktop.json'))) as { mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }> }
    ).mcpServers['integration-app'];
    expect(server.args).toContain('Authorization:${AUTH}');
    const configDir = mkdtempSync(join(tmpdir(), 'mcp-remote-'));
    for (const path of ['/mcp', '/mcp/search']) {
      const transport = new StdioClientTransport({
        command: server.command,
        args: server.args.map((a) => (a === `${base}/mcp` ? `${base}${path}` : a)),
        env: { ...getDefaultEnvironment(), ...server.env, AUTH: `Bearer ${token}`, MCP_REMOTE_CONFIG_DIR: configDir },
        cwd: ROOT,
        stderr: 'ignore',
      });
      const client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
      try {
        await client.connect(transport);
        const tools = (await client.listTools()).tools.map((t) => t.name);
        if (path === '/mcp') {
          expect(tools).toContain('gmail_list-emails');
          expect(JSON.stringify(await client.callTool({ name: 'gmail_list-emails', arguments: {} }))).toContain(EMAILS);
        } else {
          expect(tools).toEqual(SEARCH_TOOLS);
          expect(JSON.stringify(await client.callTool({ name: 'run-read-action', arguments: { tool: 'gmail_list-emails' } }))).toContain(EMAILS);
        }
      } finally {
        await client.close().catch(() => undefined);
      }
    }
    rmSync(configDir, { recursive: true, force: true });
  }, 60_000);

  it('Cursor: ~/.cursor/mcp.json (url + headers)', async () => {
    const server = (JSON.parse(at(snippet('cursor.json'))) as { mcpServers: Record<string, { url: string; headers: Record<string, string> }> }).mcpServers[
      'integration-app'
    ];
    const headers = { Authorization: server.headers.Authorization.replace('<ACCESS_TOKEN>', token) };
    const client = new Client({ name: 'cursor-stand-in', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } }));
    const { tools, text } = await listAndCall(client);
    expect(tools).toContain('gmail_list-emails');
    expect(text).toContain(EMAILS);
    await client.close();
  });

  it('VS Code: .vscode/mcp.json (servers, type http, the token from an input)', async () => {
    const config = JSON.parse(at(snippet('vscode.json'))) as {
      inputs: Array<{ id: string; password?: boolean }>;
      servers: Record<string, { type: string; url: string; headers: Record<string, string> }>;
    };
    const server = config.servers['integration-app'];
    expect(server.type).toBe('http');
    expect(config.inputs[0].password).toBe(true);
    const headers = { Authorization: server.headers.Authorization.replace(`\${input:${config.inputs[0].id}}`, token) };
    const client = new Client({ name: 'vscode-stand-in', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } }));
    const { tools, text } = await listAndCall(client);
    expect(tools).toContain('gmail_list-emails');
    expect(text).toContain(EMAILS);
    await client.close();
  });

  it('Claude Code: claude mcp add --transport http <name> <url> --header "Authorization: Bearer …"', async () => {
    const m = /^claude mcp add --transport http (\S+) (\S+) --header "([^:]+): (.+)"$/.exec(at(snippet('claude-code.sh')).trim());
    expect(m).not.toBeNull();
    const [, name, url, headerName, headerValue] = m!;
    expect(name).toBe('integration-app');
    const client = new Client({ name: 'claude-code-stand-in', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { [headerName]: headerValue.replace('$TOKEN', token) } } }));
    const { tools, text } = await listAndCall(client);
    expect(tools).toContain('gmail_list-emails');
    expect(text).toContain(EMAILS);
    await client.close();
  });

  it('MCP Inspector CLI 2: the commands as written (tools/list, tools/call, search mode on its path)', async () => {
    const lines = at(snippet('inspector-cli.sh'))
      .split('\n')
      .filter((l) => l.startsWith('npx '));
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toContain('@modelcontextprotocol/inspector@2.12.0');
    const [list, call, search] = await Promise.all(lines.map((l) => run('bash', ['-c', l], { TOKEN: token })));
    expect((JSON.parse(list) as { tools: Array<{ name: string }> }).tools.map((t) => t.name)).toContain('gmail_list-emails');
    expect(call).toContain(EMAILS);
    expect(search).toContain(EMAILS);
  }, 60_000);
});
