/**
 * What an operator sees when tokens fail: every 401's reason (a closed set) on its access line and
 * in `mcp_auth_failures_total{reason}`, never the token; a start-up check that says when the
 * workspace secret does not match the workspace key; and `POST /register` (OAuth dynamic client
 * registration, tried by mcp-remote and the MCP SDK's auth flow) answering what to do instead.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerClient } from '@modelcontextprotocol/sdk/client/auth.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { customerToken, signJwt } from './support/jwt';
import { INIT_BODY, rawPost } from './support/mcp-client';
import { WorkspaceSecretCheck } from '../src/auth/workspace-secret.check';

describe('Operators: 401 reasons, the workspace-secret check, POST /register', () => {
  let emulator: Emulator;
  const apps: RunningApp[] = [];
  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await emulator.close();
  });
  const server = async (env: Record<string, string | undefined>) => {
    const a = await startApp({ INTEGRATION_APP_API_URL: emulator.url, ...env });
    apps.push(a);
    return a;
  };
  const accessLines = (a: RunningApp) =>
    a.logs.lines
      .filter((l) => l.startsWith('pino '))
      .map((l) => JSON.parse(l.slice(5)) as { msg?: string; authFailure?: string; res?: { statusCode?: number } })
      .filter((l) => l.msg === 'request completed');
  const metric = async (a: RunningApp, reason: string) => {
    const text = await (await fetch(`${a.url}/metrics`)).text();
    return Number(new RegExp(`^mcp_auth_failures_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  };

  it('logs and counts each 401 by reason, locally verified tokens (secret set)', async () => {
    const a = await server({ INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE, INTEGRATION_APP_WORKSPACE_SECRET: SECRET, LOG_LEVEL: 'info' });
    const token = (t: string) => ({ Authorization: `Bearer ${t}` });
    const cases: Array<[string, Record<string, string>]> = [
      ['missing', {}],
      ['malformed', token('not-a-jwt')],
      ['malformed', { Authorization: 'Basic dXNlcjpwYXNz' }],
      ['expired', token(customerToken({ workspaceKey: WORKSPACE, secret: SECRET, customerId: 'cust-1', expiresInSeconds: -3600 }))],
      ['bad_signature', token(customerToken({ workspaceKey: WORKSPACE, secret: 'another-secret', customerId: 'cust-1' }))],
      ['wrong_workspace', token(customerToken({ workspaceKey: 'other-workspace', secret: SECRET, customerId: 'cust-1' }))],
      ['not_yet_valid', token(signJwt({ id: 'cust-1', iss: WORKSPACE, nbf: Math.floor(Date.now() / 1000) + 3600 }, SECRET))],
    ];
    for (const [, headers] of cases) expect((await rawPost(a.url, INIT_BODY, headers)).status).toBe(401);
    const reasons = accessLines(a)
      .filter((l) => l.res?.statusCode === 401)
      .map((l) => l.authFailure);
    expect(reasons).toEqual(cases.map(([reason]) => reason));
    expect(await metric(a, 'malformed')).toBe(2);
    for (const reason of ['missing', 'expired', 'bad_signature', 'wrong_workspace', 'not_yet_valid']) expect(await metric(a, reason)).toBe(1);
    // No token text anywhere in the logs.
    const logs = a.logs.lines.join('\n');
    for (const [, headers] of cases) if (headers.Authorization) expect(logs).not.toContain(headers.Authorization.split(' ')[1]);
    // A successful request has no reason.
    expect((await rawPost(a.url, INIT_BODY, token(emulator.token('cust-1')))).status).toBe(200);
    expect(accessLines(a).pop()).not.toHaveProperty('authFailure');
  });

  it('counts tokens Integration.app rejects as upstream_rejected (no secret set)', async () => {
    const a = await server({ INTEGRATION_APP_WORKSPACE_SECRET: undefined, LOG_LEVEL: 'info' });
    const forged = customerToken({ workspaceKey: WORKSPACE, secret: 'forged', customerId: 'cust-1' });
    for (let i = 0; i < 2; i++) expect((await rawPost(a.url, INIT_BODY, { Authorization: `Bearer ${forged}` })).status).toBe(401);
    // The second is answered from memory: the same reason.
    expect(await metric(a, 'upstream_rejected')).toBe(2);
    expect(accessLines(a).filter((l) => l.authFailure === 'upstream_rejected')).toHaveLength(2);
  });

  it('start-up check: a secret Integration.app accepts is quiet; a wrong one is named in a warning', async () => {
    emulator.clearRequests();
    const good = await server({ INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE, INTEGRATION_APP_WORKSPACE_SECRET: SECRET, CHECK_WORKSPACE_SECRET: 'true' });
    expect(await good.app.get(WorkspaceSecretCheck).result).toBe('accepted');
    expect(emulator.requests.filter((r) => r.path === '/self')).toHaveLength(1);
    expect(good.logs.lines.join('\n')).not.toMatch(/does not match/);

    const bad = await server({
      INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE,
      INTEGRATION_APP_WORKSPACE_SECRET: 'wrong-secret-value',
      CHECK_WORKSPACE_SECRET: 'true',
    });
    expect(await bad.app.get(WorkspaceSecretCheck).result).toBe('rejected');
    const warning = bad.logs.lines.find((l) => l.includes('does not match workspace'));
    expect(warning).toMatch(/^warn INTEGRATION_APP_WORKSPACE_SECRET does not match workspace "e2e-workspace" \(INTEGRATION_APP_WORKSPACE_KEY\)/);
    expect(warning).toContain('signature is invalid');
    expect(warning).not.toContain('wrong-secret-value');

    // Off, or without a key: no upstream call at all.
    emulator.clearRequests();
    const off = await server({ INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE, INTEGRATION_APP_WORKSPACE_SECRET: SECRET, CHECK_WORKSPACE_SECRET: 'false' });
    const noKey = await server({ INTEGRATION_APP_WORKSPACE_KEY: undefined, INTEGRATION_APP_WORKSPACE_SECRET: SECRET, CHECK_WORKSPACE_SECRET: 'true' });
    expect(await off.app.get(WorkspaceSecretCheck).result).toBe('skipped');
    expect(await noKey.app.get(WorkspaceSecretCheck).result).toBe('skipped');
    expect(emulator.requests.filter((r) => r.path === '/self')).toHaveLength(0);
  });

  it('start-up check: Integration.app unreachable is "could not check", and start-up does not wait for it', async () => {
    const a = await server({
      INTEGRATION_APP_API_URL: 'http://127.0.0.1:9',
      INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE,
      INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
      CHECK_WORKSPACE_SECRET: 'true',
      UPSTREAM_RETRIES: '0',
    });
    expect(await a.app.get(WorkspaceSecretCheck).result).toBe('unknown');
    expect(a.logs.lines.some((l) => l.startsWith('warn Could not check INTEGRATION_APP_WORKSPACE_SECRET'))).toBe(true);
  });

  it('docs/security.md: the token-minting snippet, quoted verbatim, mints a token the server accepts', async () => {
    const file = join(__dirname, '..', 'examples', 'mint-token.mjs');
    expect(readFileSync(join(__dirname, '..', 'docs', 'security.md'), 'utf8')).toContain(readFileSync(file, 'utf8').trim());
    const minted = execFileSync(process.execPath, [file], {
      env: { ...process.env, INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE, INTEGRATION_APP_WORKSPACE_SECRET: SECRET, CUSTOMER_ID: 'cust-1' },
      encoding: 'utf8',
    }).trim();
    const a = await server({ INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE, INTEGRATION_APP_WORKSPACE_SECRET: SECRET });
    expect((await rawPost(a.url, INIT_BODY, { Authorization: `Bearer ${minted}` })).status).toBe(200);
  });

  it("POST /register: the MCP SDK client's dynamic registration fails with a description that says what to do", async () => {
    const a = await server({});
    const res = await fetch(`${a.url}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"redirect_uris":["http://x"]}' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_client_metadata');
    expect(body.error_description).toMatch(/^This MCP server does not register OAuth clients: it takes Integration\.app access tokens\./);
    expect(body.error_description).toContain('"Authorization: Bearer <access token>"');
    // What mcp-remote and the SDK's auth flow show: the description.
    await expect(registerClient(a.url, { clientMetadata: { redirect_uris: ['http://localhost:1/callback'], client_name: 'mcp-remote' } })).rejects.toThrow(
      /takes Integration\.app access tokens/,
    );
  });

  it('mcp-remote without a token (OAuth first, as Claude Desktop runs it) prints what to do, from POST /register', async () => {
    const a = await server({});
    const configDir = mkdtempSync(join(tmpdir(), 'mcp-remote-noauth-'));
    try {
      const output = await new Promise<string>((resolve) =>
        execFile(
          'npx',
          ['-y', 'mcp-remote@0.15.1', `${a.url.replace('127.0.0.1', 'localhost')}/mcp`],
          { env: { ...process.env, MCP_REMOTE_CONFIG_DIR: configDir }, timeout: 45_000 },
          (_err, stdout, stderr) => resolve(`${stdout}${stderr}`),
        ),
      );
      expect(output).toMatch(/Dynamic Client Registration rejected \(HTTP 400\).*takes Integration\.app access tokens/);
      expect(output).toContain('Authorization: Bearer <access token>');
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  }, 60_000);
});
