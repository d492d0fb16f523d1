/**
 * Long-running actions (SPEC §18) through the real MCP SDK clients: progress notifications while a
 * call runs (session era, and 2026-07-28 on the request's own stream), a run handle instead of a
 * client time-out, get-action-result from any replica on one Redis, cancellation before the handle,
 * expiry, a flood of handles from one identity, owner-binding and bad input.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Redis from 'ioredis';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { connectHttp, connectStateless, rawInitialize, rawPost } from './support/mcp-client';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { testRedisUrl } from './support/redis-server';
import { waitFor } from './support/wait';

type V2Client = Awaited<ReturnType<typeof connectStateless>>['client'];

const EXPORT = 'warehouse_export-data';
const SNAPSHOT = 'warehouse_read-snapshot';
const EXPORT_PATH = '/connections/conn-warehouse/actions/export-data/run';

interface Running {
  status: 'running';
  runId: string;
}

const runningOf = (result: unknown): Running => (result as CallToolResult).structuredContent as unknown as Running;

describe('Long-running actions (SPEC §18)', () => {
  let emulator: Emulator;
  const clients: Array<Client | V2Client> = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await emulator.close();
  });

  const baseEnv = () => ({
    INTEGRATION_APP_API_URL: emulator.url,
    INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
    INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE,
    ACTION_WAIT_SECONDS: '1',
    PROGRESS_INTERVAL_MS: '200',
    RATE_LIMIT_PER_MINUTE: '0',
    AUDIT_LOG: 'true',
    LOG_LEVEL: 'info',
  });

  async function v1(base: string, query: Record<string, string> = {}, customer = 'cust-runs'): Promise<Client> {
    const { client } = await connectHttp(base, { token: emulator.token(customer), query });
    clients.push(client);
    return client;
  }
  async function v2(base: string, query: Record<string, string> = {}, customer = 'cust-runs'): Promise<V2Client> {
    const { client } = await connectStateless(base, { token: emulator.token(customer), query });
    clients.push(client);
    return client;
  }

  /** Calls get-action-result until the run is no longer running (bounded). */
  async function resultOf(c: Client | V2Client, runId: string): Promise<CallToolResult> {
    for (let i = 0; i < 30; i++) {
      const r = (await c.callTool({ name: 'get-action-result', arguments: { runId, waitSeconds: 25 } })) as CallToolResult;
      if ((r.structuredContent as { status?: string } | undefined)?.status !== 'running') return r;
    }
    throw new Error('run never finished');
  }

  describe('one replica, results in memory', () => {
    let app: RunningApp;
    beforeAll(async () => {
      app = await startApp({ ...baseEnv(), ACTION_RESULT_TTL_SECONDS: '2', MAX_RUNS_PER_IDENTITY: '3' });
    });
    afterAll(() => app.close());

    it('session era: a call outliving ACTION_WAIT_SECONDS answers with a handle; get-action-result returns exactly what the call returns', async () => {
      const c = await v1(app.url, { mode: 'search' });
      expect((await c.listTools()).tools.map((t) => t.name)).toContain('get-action-result');
      const direct = await c.callTool({ name: 'run-read-action', arguments: { tool: SNAPSHOT, arguments: { seconds: 0 } } });
      const started = Date.now();
      const handle = await c.callTool({ name: 'run-read-action', arguments: { tool: SNAPSHOT, arguments: { seconds: 2.5 } } });
      expect(Date.now() - started).toBeLessThan(2400);
      const { status, runId } = runningOf(handle);
      expect(status).toBe('running');
      expect(runId).toMatch(/^run_[A-Za-z0-9_-]{32}$/);
      expect((handle.content as Array<{ text: string }>)[0].text).toContain('get-action-result');
      expect(handle.isError).toBeUndefined();
      const done = await resultOf(c, runId);
      expect(done).toEqual(direct);
      // A finished result can be fetched again until it expires.
      expect(await c.callTool({ name: 'get-action-result', arguments: { runId, waitSeconds: 0 } })).toEqual(direct);
    });
  });
});
