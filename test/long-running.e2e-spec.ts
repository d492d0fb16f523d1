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
import { connectHttp, connectStateless } from './support/mcp-client';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { testRedisUrl } from './support/redis-server';
import { waitFor } from './support/wait';

// Each test waits for slow actions (1-3 s) on a machine that may be busy: generous, like the other e2e suites.
jest.setTimeout(30_000);

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
  const closeClients = () => Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  afterAll(async () => {
    await closeClients();
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

  /** The audit lines of `app` for `tool` (logger "audit"). */
  const auditLines = (app: RunningApp, tool: string) =>
    app.logs.lines
      .filter((l) => l.startsWith('pino ') && l.includes('"logger":"audit"'))
      .map((l) => JSON.parse(l.slice(5)) as { tool: string; outcome: string; runId?: string })
      .filter((l) => l.tool === tool);

  const notFound = { isError: true, structuredContent: { error: { type: 'not_found' } } };

  describe('one replica, results in memory', () => {
    let app: RunningApp;
    beforeAll(async () => {
      app = await startApp({ ...baseEnv(), ACTION_RESULT_TTL_SECONDS: '2', MAX_RUNS_PER_IDENTITY: '3' });
    });
    afterAll(async () => {
      await closeClients();
      await app.close();
    }, 20_000);

    it('session era: a call outliving ACTION_WAIT_SECONDS answers with a handle; get-action-result returns exactly what the call returns', async () => {
      const c = await v1(app.url, { mode: 'search' });
      const listed = (await c.listTools()).tools.find((t) => t.name === 'get-action-result');
      expect(listed).toMatchObject({ annotations: { readOnlyHint: true }, outputSchema: { type: 'object' }, inputSchema: { required: ['runId'] } });
      const direct = await c.callTool({ name: 'run-read-action', arguments: { tool: SNAPSHOT, arguments: { seconds: 0 } } });
      const handle = await c.callTool({ name: 'run-read-action', arguments: { tool: SNAPSHOT, arguments: { seconds: 2.5 } } });
      const { status, runId } = runningOf(handle);
      expect(status).toBe('running');
      expect(runId).toMatch(/^run_[A-Za-z0-9_-]{32}$/);
      expect((handle.content as Array<{ text: string }>)[0].text).toContain('get-action-result');
      expect(handle.isError).toBeUndefined();
      const done = await resultOf(c, runId);
      expect(done).toEqual(direct);
      // A finished result can be fetched again until it expires, from another session of the same identity.
      expect(await (await v1(app.url, { mode: 'search' })).callTool({ name: 'get-action-result', arguments: { runId, waitSeconds: 0 } })).toEqual(direct);
      // The audit line records the run once, with its final outcome and the handle's id.
      await waitFor('the audit line', () => auditLines(app, SNAPSHOT).some((l) => l.runId === runId));
      expect(auditLines(app, SNAPSHOT).filter((l) => l.runId === runId)).toEqual([expect.objectContaining({ outcome: 'success', runId })]);
    });

    it('a run that fails upstream after the handle: get-action-result gives the same isError result a direct call gives', async () => {
      const c = await v1(app.url, { mode: 'search' });
      const failure = { type: 'action_run', message: 'Warehouse is locked for maintenance' };
      const fast = emulator.addFault({ method: 'POST', path: EXPORT_PATH, status: 400, body: failure, times: 1 });
      const direct = await c.callTool({ name: 'run-action', arguments: { tool: EXPORT, arguments: {} } });
      fast();
      expect(direct.isError).toBe(true);
      const slow = emulator.addFault({ method: 'POST', path: EXPORT_PATH, status: 400, body: failure, delayMs: 2000, times: 1 });
      try {
        const { runId } = runningOf(await c.callTool({ name: 'run-action', arguments: { tool: EXPORT, arguments: {} } }));
        expect(await resultOf(c, runId)).toEqual(direct);
      } finally {
        slow();
      }
    });

    it('session era: sends notifications/progress while a call with a progressToken runs (static mode: no handle there by default)', async () => {
      const c = await v1(app.url);
      expect((await c.listTools()).tools.map((t) => t.name)).not.toContain('get-action-result');
      const progress: Array<{ progress: number; message?: string }> = [];
      const result = await c.callTool({ name: EXPORT, arguments: { seconds: 1.5 } }, CallToolResultSchema, { onprogress: (p) => progress.push(p) });
      expect(result.structuredContent).toMatchObject({ ok: true, tookSeconds: 1.5 });
      expect(progress.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < progress.length; i++) expect(progress[i].progress).toBeGreaterThan(progress[i - 1].progress);
      expect(progress[0].message).toMatch(/Still running/);
    });

    it("2026-07-28: a handle and get-action-result from another stateless request; progress on the request's own stream", async () => {
      const c = await v2(app.url, { mode: 'search' });
      expect((await c.listTools()).tools.map((t) => t.name)).toContain('get-action-result');
      const handle = await c.callTool({ name: 'run-action', arguments: { tool: EXPORT, arguments: { seconds: 2, table: 'orders' } } });
      const { runId } = runningOf(handle);
      expect(runningOf(handle).status).toBe('running');
      const done = await resultOf(await v2(app.url, { mode: 'search' }), runId);
      expect(done.structuredContent).toMatchObject({ ok: true, input: { seconds: 2, table: 'orders' } });

      const progress: Array<{ progress: number }> = [];
      const direct = await (await v2(app.url)).callTool({ name: EXPORT, arguments: { seconds: 1.5 } }, { onprogress: (p) => progress.push(p) });
      expect(direct.structuredContent).toMatchObject({ ok: true, tookSeconds: 1.5 });
      expect(progress.length).toBeGreaterThanOrEqual(2);
    });

    it('session era: notifications/cancelled before the handle cancels the run upstream (JSON and streamed answers alike)', async () => {
      const c = await v1(app.url, { mode: 'search' });
      for (const withProgress of [false, true]) {
        emulator.clearRequests();
        const ac = new AbortController();
        const call = c
          .callTool({ name: 'run-action', arguments: { tool: EXPORT, arguments: { seconds: 5 } } }, CallToolResultSchema, {
            signal: ac.signal,
            ...(withProgress ? { onprogress: () => undefined } : {}),
          })
          .catch((err: Error) => err);
        await waitFor('the upstream run', () => emulator.requests.some((r) => r.path === EXPORT_PATH), { timeoutMs: 3000 });
        ac.abort('user stopped it');
        expect(await call).toBeInstanceOf(Error);
        await waitFor('the upstream run to be abandoned', () => emulator.requests.find((r) => r.path === EXPORT_PATH)?.abandoned === true, {
          timeoutMs: 3000,
        });
      }
      await waitFor('the audit lines', () => auditLines(app, EXPORT).filter((l) => l.outcome === 'cancelled').length === 2);
      expect(auditLines(app, EXPORT).filter((l) => l.outcome === 'cancelled' && l.runId !== undefined)).toEqual([]);
    });

    it('2026-07-28: closing the request before the handle cancels the run upstream', async () => {
      const c = await v2(app.url, { mode: 'search' });
      emulator.clearRequests();
      const ac = new AbortController();
      const call = c.callTool({ name: 'run-action', arguments: { tool: EXPORT, arguments: { seconds: 5 } } }, { signal: ac.signal }).catch((err: Error) => err);
      await waitFor('the upstream run', () => emulator.requests.some((r) => r.path === EXPORT_PATH), { timeoutMs: 3000 });
      ac.abort();
      expect(await call).toBeInstanceOf(Error);
      await waitFor('the upstream run to be abandoned', () => emulator.requests.find((r) => r.path === EXPORT_PATH)?.abandoned === true, { timeoutMs: 3000 });
    });

    it('the run goes on after the handle (the request is over, nothing cancels it); the result expires after ACTION_RESULT_TTL_SECONDS', async () => {
      const c = await v1(app.url, { mode: 'search' });
      emulator.clearRequests();
      const { runId } = runningOf(await c.callTool({ name: 'run-action', arguments: { tool: EXPORT, arguments: { seconds: 1.5 } } }));
      await c.close();
      const again = await v1(app.url, { mode: 'search' });
      const done = await resultOf(again, runId);
      expect(done.structuredContent).toMatchObject({ ok: true, tookSeconds: 1.5 });
      expect(await again.callTool({ name: 'get-action-result', arguments: { runId, waitSeconds: 0 } })).toEqual(done);
      expect(emulator.requests.find((r) => r.path === EXPORT_PATH)?.abandoned).toBeUndefined();
      await waitFor(
        'the result to expire',
        async () => (await again.callTool({ name: 'get-action-result', arguments: { runId, waitSeconds: 0 } })).isError === true,
        { timeoutMs: 8000, intervalMs: 200 },
      );
      const expired = await again.callTool({ name: 'get-action-result', arguments: { runId } });
      expect(expired).toMatchObject(notFound);
      expect((expired.content as Array<{ text: string }>)[0].text).toMatch(/expired/);
    });

    it('a flood of handles from one identity: at most MAX_RUNS_PER_IDENTITY kept; with all running a new call waits to its end; the oldest finished is dropped', async () => {
      const c = await v1(app.url, { mode: 'search' }, 'cust-runs-2');
      const run = (seconds: number) => c.callTool({ name: 'run-action', arguments: { tool: EXPORT, arguments: { seconds } } });
      const first = await Promise.all([1, 2, 3, 4, 5].map(() => run(2.5)));
      const handles = first.filter((r) => runningOf(r)?.status === 'running').map((r) => runningOf(r).runId);
      expect(handles).toHaveLength(3);
      // The two beyond the cap waited to their end and returned the action's own result.
      expect(first.filter((r) => runningOf(r)?.status !== 'running').map((r) => r.structuredContent)).toEqual([
        expect.objectContaining({ ok: true, tookSeconds: 2.5 }),
        expect.objectContaining({ ok: true, tookSeconds: 2.5 }),
      ]);
      for (const id of handles) expect((await resultOf(c, id)).structuredContent).toMatchObject({ ok: true });
      // All three finished: a new handle drops the oldest finished one.
      const { runId: newer } = runningOf(await run(1.5));
      expect(newer).toBeDefined();
      const kept = await Promise.all(
        handles.map(async (id) => !(await c.callTool({ name: 'get-action-result', arguments: { runId: id, waitSeconds: 0 } })).isError),
      );
      expect(kept.filter(Boolean)).toHaveLength(2);
      await resultOf(c, newer);
    });

    it("another customer's runId is not found, exactly like an unknown one", async () => {
      const mine = await v1(app.url, { mode: 'search' });
      const { runId } = runningOf(await mine.callTool({ name: 'run-action', arguments: { tool: EXPORT, arguments: { seconds: 1.5 } } }));
      const other = await v1(app.url, { mode: 'search' }, 'cust-runs-2');
      const stolen = await other.callTool({ name: 'get-action-result', arguments: { runId, waitSeconds: 0 } });
      const unknownId = `run_${'A'.repeat(32)}`;
      const unknown = await other.callTool({ name: 'get-action-result', arguments: { runId: unknownId, waitSeconds: 0 } });
      expect(stolen).toMatchObject(notFound);
      expect(JSON.stringify(stolen).split(runId).join('ID')).toEqual(JSON.stringify(unknown).split(unknownId).join('ID'));
      expect(JSON.stringify(stolen)).not.toContain('ok');
      await resultOf(mine, runId);
    });

    it('refuses bad runId and waitSeconds arguments with a clear tool error, at once', async () => {
      const c = await v1(app.url, { mode: 'search' });
      const valid = `run_${'b'.repeat(32)}`;
      const cases: Array<[Record<string, unknown>, string]> = [
        [{}, 'runId'],
        [{ runId: '' }, 'runId'],
        [{ runId: 'x'.repeat(100_000) }, 'runId'],
        [{ runId: `run_${'a'.repeat(31)}` }, 'runId'],
        [{ runId: `run_${'a'.repeat(33)}` }, 'runId'],
        [{ runId: `run_${'!'.repeat(32)}` }, 'runId'],
        [{ runId: `run_${'a'.repeat(31)}\n` }, 'runId'],
        [{ runId: 42 }, 'runId'],
        [{ runId: null }, 'runId'],
        [{ runId: [valid] }, 'runId'],
        [{ runId: valid, waitSeconds: -1 }, 'waitSeconds'],
        [{ runId: valid, waitSeconds: 25.5 }, 'waitSeconds'],
        [{ runId: valid, waitSeconds: 1e300 }, 'waitSeconds'],
        [{ runId: valid, waitSeconds: '5' }, 'waitSeconds'],
        [{ runId: valid, waitSeconds: true }, 'waitSeconds'],
        [{ runId: valid, waitSeconds: null }, 'waitSeconds'],
      ];
      const started = Date.now();
      for (const [args, field] of cases) {
        const r = await c.callTool({ name: 'get-action-result', arguments: args });
        expect(r).toMatchObject({ isError: true, structuredContent: { error: { type: 'invalid_arguments', fields: [{ path: field }] } } });
        expect(JSON.stringify(r).length).toBeLessThan(1000);
      }
      // Nothing waited: bad input answers at once (waitSeconds is never honoured for it).
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await c.callTool({ name: 'get-action-result', arguments: { runId: valid, waitSeconds: 25 } })).toMatchObject(notFound);
    });
  });

  describe('two replicas on one Redis (ACTION_WAIT_MODES=search,static)', () => {
    let a: RunningApp;
    let b: RunningApp;
    let redis: Redis;
    const prefix = `e2e:${randomUUID()}:`;
    beforeAll(async () => {
      const env = { ...baseEnv(), REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, ACTION_WAIT_MODES: 'search,static' };
      a = await startApp(env);
      b = await startApp(env);
      redis = new Redis(testRedisUrl());
    });
    afterAll(async () => {
      await closeClients();
      await Promise.all([a.close(), b.close()]);
      await redis.quit();
    }, 20_000);

    it('a handle given by A is answered by B (session era and 2026-07-28), while running and once done; owner-bound there too', async () => {
      const onA = await v1(a.url, { mode: 'search' });
      const handle = await onA.callTool({ name: 'run-action', arguments: { tool: EXPORT, arguments: { seconds: 2.5, table: 'x' } } });
      const { runId } = runningOf(handle);
      // Stored under the deployment's prefix, with an expiry.
      expect(await redis.pttl(`${prefix}run:${runId}`)).toBeGreaterThan(0);
      // B has no local run: it answers from the store (running at first, then the result).
      const onB = await v1(b.url, { mode: 'search' });
      const early = await onB.callTool({ name: 'get-action-result', arguments: { runId, waitSeconds: 0 } });
      expect(runningOf(early)).toEqual({ status: 'running', runId });
      const done = await resultOf(onB, runId);
      expect(done.structuredContent).toMatchObject({ ok: true, input: { seconds: 2.5, table: 'x' } });
      const { _meta: _ignored, ...fromStateless } = await resultOf(await v2(b.url, { mode: 'search' }), runId);
      expect(fromStateless).toEqual(done);
      expect(await (await v1(b.url, { mode: 'search' }, 'cust-runs-2')).callTool({ name: 'get-action-result', arguments: { runId } })).toMatchObject(notFound);
      const ttl = await redis.pttl(`${prefix}run:${runId}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(900_000);
      await waitFor('the audit line on A', () => auditLines(a, EXPORT).some((l) => l.runId === runId));
      expect([...auditLines(a, EXPORT), ...auditLines(b, EXPORT)].filter((l) => l.runId === runId)).toEqual([
        expect.objectContaining({ outcome: 'success', runId }),
      ]);
    });

    it('a replica that stops mid-run waits a little, then aborts the run and records it as interrupted: the others answer at once', async () => {
      const c = await startApp({ ...baseEnv(), REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, ACTION_WAIT_MODES: 'search,static' });
      const onC = await v1(c.url, { mode: 'search' });
      emulator.clearRequests();
      const { runId } = runningOf(await onC.callTool({ name: 'run-action', arguments: { tool: EXPORT, arguments: { seconds: 60 } } }));
      await onC.close();
      await c.close();
      const answer = await (await v1(b.url, { mode: 'search' })).callTool({ name: 'get-action-result', arguments: { runId, waitSeconds: 0 } });
      expect(answer).toMatchObject({ isError: true, structuredContent: { error: { type: 'interrupted' } } });
      await waitFor('the upstream run to be abandoned', () => emulator.requests.find((r) => r.path === EXPORT_PATH)?.abandoned === true, { timeoutMs: 3000 });
    }, 30_000);

    it('static mode lists get-action-result when ACTION_WAIT_MODES names it, and a direct call there becomes a handle', async () => {
      const c = await v1(a.url);
      expect((await c.listTools()).tools.map((t) => t.name)).toContain('get-action-result');
      const { runId, status } = runningOf(await c.callTool({ name: SNAPSHOT, arguments: { seconds: 2 } }));
      expect(status).toBe('running');
      const done = await resultOf(await v1(b.url), runId);
      // A non-object output comes as { output } (get-action-result has an output schema), the text is the action's.
      expect(done).toEqual({ content: [{ type: 'text', text: '["row-1","row-2"]' }], structuredContent: { output: ['row-1', 'row-2'] } });
    });
  });
});
