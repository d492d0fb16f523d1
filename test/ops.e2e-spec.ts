import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { connectHttp, connectSse } from './support/mcp-client';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { startServerProcess } from './support/server-process';
import { waitFor } from './support/wait';

describe('Operations: probes, metrics, request ids', () => {
  let emulator: Emulator;
  let server: RunningApp;
  let token: string;
  let client: Client;

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    server = await startApp({
      INTEGRATION_APP_API_URL: emulator.url,
      INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
      METRICS_REQUIRE_AUTH: 'true',
      METRICS_TOKEN: 'scrape-me-please',
    });
    token = emulator.token('cust-1');
    ({ client } = await connectHttp(server.url, { token }));
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
    await emulator?.close();
  });

  it('answers the probes without auth, as JSON', async () => {
    const live = await fetch(`${server.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { sessionStore: { status: 'up' }, lifecycle: { status: 'up' } } });
  });

  it('exposes request, session, tool-call and upstream metrics — behind the metrics token, never with a customer token', async () => {
    await client.listTools();
    await client.callTool({ name: 'gmail_count-unread', arguments: {} });
    await client.callTool({ name: 'gmail_send-email', arguments: {} });
    // Tokens in URLs must not turn into label values (route is the pattern, not the URL).
    await fetch(`${server.url}/mcp?token=${token}`, { method: 'DELETE' });
    await fetch(`${server.url}/no-such-route?token=${token}`);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    const res = await fetch(`${server.url}/metrics`, { headers: { Authorization: 'Bearer scrape-me-please' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/mcp_http_requests_total\{method="POST",route="\/mcp",status="200"\} \d+/);
    expect(text).toMatch(/mcp_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(text).toMatch(/mcp_http_request_duration_seconds_count\{method="POST",route="\/mcp"\} \d+/);
    expect(text).toMatch(/mcp_tool_calls_total\{integration="gmail",outcome="success"\} 1/);
    expect(text).toMatch(/mcp_tool_calls_total\{integration="gmail",outcome="invalid_arguments"\} 1/);
    expect(text).toMatch(/mcp_tool_call_duration_seconds_count\{integration="gmail"\} 1/);
    expect(text).toMatch(/mcp_upstream_request_duration_seconds_count\{operation="run_action",outcome="ok"\} 1/);
    expect(text).toMatch(/mcp_upstream_request_duration_seconds_count\{operation="list_connections",outcome="ok"\} \d+/);
    expect(text).toMatch(/mcp_open_sessions [1-9]/);
    expect(text).toMatch(/mcp_open_streams \d+/);
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).not.toContain(token.split('.')[2]);
    expect(text).not.toContain('token=');
  });

  it('echoes a sane x-request-id and makes one up otherwise', async () => {
    const given = await fetch(`${server.url}/health/live`, { headers: { 'x-request-id': 'req-123' } });
    expect(given.headers.get('x-request-id')).toBe('req-123');
    const weird = await fetch(`${server.url}/health/live`, { headers: { 'x-request-id': 'has spaces<>' } });
    expect(weird.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with JSON 404, never HTML', async () => {
    const res = await fetch(`${server.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
  });
});

describe('The server process: logs and graceful shutdown', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('refuses to start on a bad configuration value, naming it', async () => {
    const { spawnSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '..', 'src', 'main.ts')], {
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', PORT: 'not-a-port', REDIS_URL: 'http://wrong' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Failed to start: Invalid configuration:[\s\S]*PORT[\s\S]*REDIS_URL/);
  }, 40_000);

  it('never writes a token to its logs, whatever fails', async () => {
    // No workspace secret: tokens travel upstream, so every failure path sees them.
    const proc = await startServerProcess({ INTEGRATION_APP_API_URL: emulator.url, LOG_LEVEL: 'debug', UPSTREAM_RETRIES: '1' });
    const token = emulator.token('cust-1');
    const signature = token.split('.')[2];
    try {
      const { client } = await connectHttp(proc.url, { token, query: { token } });
      await client.listTools();
      await client.callTool({ name: 'gmail_count-unread', arguments: {} });
      // An upstream 500 with a non-JSON body that echoes the Authorization header, and a JSON error echoing the token.
      emulator.addFault({
        method: 'POST',
        path: '/connections/conn-gmail/actions/list-emails',
        status: 500,
        rawBody: `<html>upstream broke; Authorization: Bearer ${token}</html>`,
        times: 1,
      });
      emulator.addFault({
        method: 'POST',
        path: '/connections/conn-gmail/actions/get-profile',
        status: 400,
        body: { type: 'bad_request', message: `bad token ${token}` },
        times: 1,
      });
      const html = await client.callTool({ name: 'gmail_list-emails', arguments: {} });
      const json = await client.callTool({ name: 'gmail_get-profile', arguments: {} });
      expect(JSON.stringify([html, json])).not.toContain(signature);
      expect(html.isError).toBe(true);
      // Catalog fetch failing with HTML for a new customer, then a rejected token, then a token in the query only.
      emulator.addFault({ method: 'GET', path: '/connections', status: 502, rawBody: `<h1>502</h1>${token}`, times: 4 });
      const other = emulator.token('cust-2');
      const { client: c2 } = await connectHttp(proc.url, { token: other });
      await expect(c2.listTools()).rejects.toThrow();
      const forged = `${token.slice(0, -4)}AAAA`;
      await fetch(`${proc.url}/mcp?token=${forged}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
        body: '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}',
      });
      const { client: sse } = await connectSse(proc.url, { query: { token } });
      await sse.listTools();
      await Promise.all([client.close(), c2.close(), sse.close()]);
      const accessLines = () =>
        proc
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { req?: { id?: string; method?: string; path?: string } })
          .filter((l) => l.req);
      // A stream's access line is written when it ends: wait for the legacy SSE one (its URL held ?token=).
      await waitFor('the access line of the closed legacy SSE stream', () => accessLines().some((l) => l.req?.method === 'GET' && l.req?.path === '/sse'));
      await fetch(`${proc.url}/mcp/sessions?token=${token}`, { headers: { 'x-request-id': 'trace-me-42' } });
      await waitFor('the access line of the traced request', () => accessLines().some((l) => l.req?.id === 'trace-me-42'));
      const logs = proc.output();
      expect(logs.length).toBeGreaterThan(500);
      // Started without the workspace secret and key: it says so at start-up.
      expect(logs).toContain('INTEGRATION_APP_WORKSPACE_SECRET is not set');
      expect(logs).toContain('INTEGRATION_APP_WORKSPACE_KEY is not set');
      // JSON lines, each request line correlated (request id, session id, hashed identity), paths without query strings.
      const lines = logs
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as { req?: { id?: string; path?: string }; sessionId?: string; identity?: string });
      const requests = lines.filter((l) => l.req);
      expect(requests.find((l) => l.req?.id === 'trace-me-42')).toMatchObject({
        req: { path: '/mcp/sessions' },
        identity: expect.stringMatching(/^[0-9a-f]{12}$/),
      });
      expect(requests.some((l) => l.req?.path === '/mcp' && l.sessionId && l.identity)).toBe(true);
      expect(requests.every((l) => !l.req?.path?.includes('?'))).toBe(true);
      expect(logs).not.toContain('token=');
      expect(logs).not.toContain(signature);
      expect(logs).not.toContain(forged.split('.')[2]);
      expect(logs).not.toContain(other.split('.')[2]);
    } finally {
      await proc.stop();
    }
  }, 60_000);

  it('drains on SIGTERM: stops accepting, finishes in-flight calls, closes streams, exits 0', async () => {
    const proc = await startServerProcess({
      INTEGRATION_APP_API_URL: emulator.url,
      INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
      INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '20000',
    });
    const token = emulator.token('cust-1');
    const { client } = await connectHttp(proc.url, { token });
    try {
      await client.listTools();
      const stream = await fetch(`${proc.url}/sse`, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } });
      const reader = stream.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: endpoint');
      const streamClosed = (async () => {
        for (;;) if ((await reader.read()).done) return true;
      })();

      const runPath = '/connections/conn-gmail/actions/list-emails/run';
      emulator.clearRequests();
      emulator.addFault({ method: 'POST', path: runPath, delayMs: 1500, times: 1 });
      const slow = client.callTool({ name: 'gmail_list-emails', arguments: {} });
      // SIGTERM only once the call is waiting on Integration.app, so it is surely in flight.
      while (!emulator.requests.some((r) => r.path === runPath)) await new Promise((r) => setTimeout(r, 20));
      proc.child.kill('SIGTERM');

      // The in-flight call completes normally…
      const result = await slow;
      expect(result.isError).toBeFalsy();
      // …the streams are closed…
      expect(await streamClosed).toBe(true);
      // …and the process exits cleanly, having waited for exactly that request.
      expect(await proc.exited).toEqual({ code: 0, signal: null });
      expect(proc.output()).toContain('draining 1 in-flight request(s)');
      expect(proc.output()).not.toContain('Grace period over');
      await expect(fetch(`${proc.url}/health/live`)).rejects.toThrow();
    } finally {
      await client.close().catch(() => undefined);
      await proc.stop();
    }
  }, 60_000);
});
