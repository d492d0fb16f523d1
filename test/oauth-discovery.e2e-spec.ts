/**
 * Authorization discovery (SPEC §15): RFC 9728 metadata and `WWW-Authenticate` on 401s, read with
 * the MCP SDK client's own discovery functions; without configuration, 401s still say why.
 */
import { discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { INIT_BODY, MCP_HEADERS } from './support/mcp-client';
import { e2eFixture } from './support/e2e-fixture';

describe('OAuth protected-resource metadata', () => {
  let emulator: Emulator;
  const apps: RunningApp[] = [];
  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await emulator.close();
  });
  const server = async (env: Record<string, string> = {}) => {
    const a = await startApp({ INTEGRATION_APP_API_URL: emulator.url, ...env });
    apps.push(a);
    return a;
  };
  const unauthenticated = (url: string) => fetch(`${url}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify(INIT_BODY) });

  it('without configuration: 401s carry error="invalid_token" and a description, and there is no metadata', async () => {
    const a = await server();
    const res = await unauthenticated(a.url);
    expect(res.status).toBe(401);
    const header = res.headers.get('www-authenticate')!;
    expect(header).toMatch(/^Bearer realm="mcp", error="invalid_token", error_description="Missing access token: [^"]+"$/);
    expect(extractWWWAuthenticateParams(res).resourceMetadataUrl).toBeUndefined();
    const metadata = await fetch(`${a.url}/.well-known/oauth-protected-resource/mcp`);
    expect(metadata.status).toBe(404);
    expect(await metadata.json()).toMatchObject({ statusCode: 404, message: expect.stringContaining('OAUTH_AUTHORIZATION_SERVERS') });
  });

  it('with OAUTH_AUTHORIZATION_SERVERS and PUBLIC_URL: metadata at both well-known paths, announced on every 401', async () => {
    const a = await server({
      PUBLIC_URL: 'https://mcp.example.com/',
      OAUTH_AUTHORIZATION_SERVERS: 'https://auth.example.com, https://login.example.org/tenant',
    });
    const res = await unauthenticated(a.url);
    expect(res.status).toBe(401);
    const params = extractWWWAuthenticateParams(res);
    expect(params.resourceMetadataUrl?.href).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
    expect(params.error).toBe('invalid_token');
    const expected = {
      resource: 'https://mcp.example.com/mcp',
      authorization_servers: ['https://auth.example.com', 'https://login.example.org/tenant'],
      bearer_methods_supported: ['header'],
    };
    // The SDK client's discovery (path-aware: /.well-known/oauth-protected-resource/mcp).
    expect(await discoverOAuthProtectedResourceMetadata(`${a.url}/mcp`)).toMatchObject(expected);
    expect(await (await fetch(`${a.url}/.well-known/oauth-protected-resource`)).json()).toMatchObject(expected);
    // A bad token's 401 points there too.
    const bad = await fetch(`${a.url}/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, Authorization: 'Bearer not-a-jwt' },
      body: JSON.stringify(INIT_BODY),
    });
    expect(bad.headers.get('www-authenticate')).toContain('resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"');
  });

  it('modes as paths: /mcp/search and /mcp/dynamic have their own metadata, and their 401s point at it', async () => {
    const a = await server({ PUBLIC_URL: 'https://mcp.example.com', OAUTH_AUTHORIZATION_SERVERS: 'https://auth.example.com' });
    for (const mode of ['search', 'dynamic']) {
      const res = await fetch(`${a.url}/mcp/${mode}`, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify(INIT_BODY) });
      expect(res.status).toBe(401);
      expect(extractWWWAuthenticateParams(res).resourceMetadataUrl?.href).toBe(`https://mcp.example.com/.well-known/oauth-protected-resource/mcp/${mode}`);
      // The SDK client's path-aware discovery finds the mode path's own document.
      expect(await discoverOAuthProtectedResourceMetadata(`${a.url}/mcp/${mode}`)).toMatchObject({
        resource: `https://mcp.example.com/mcp/${mode}`,
        authorization_servers: ['https://auth.example.com'],
      });
    }
    // Not a mode path: no metadata of its own.
    expect((await fetch(`${a.url}/.well-known/oauth-protected-resource/mcp/static`)).status).toBe(404);
  });

  it('refuses to start with authorization servers but no PUBLIC_URL', async () => {
    await expect(server({ OAUTH_AUTHORIZATION_SERVERS: 'https://auth.example.com' })).rejects.toThrow(
      /PUBLIC_URL: required when OAUTH_AUTHORIZATION_SERVERS is set/,
    );
  });
});
