import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { JsonRpcErrorCode, RpcError } from '../common/json-rpc';
import type { RunsConfig } from '../config/app.config';
import type { ToolCallContext } from '../tools/tool-source';
import { ActionRuns, MAX_OUTCOME_CHARS } from './action-runs.service';
import { GetActionResultTool } from './get-action-result.tool';
import { MemoryRunStore } from './memory-run.store';

const config = (over: Partial<RunsConfig> = {}): RunsConfig => ({
  waitMs: 50,
  waitModes: ['search'],
  resultTtlSeconds: 60,
  maxRunsPerIdentity: 5,
  progressIntervalMs: 20,
  actionTimeoutMs: 10_000,
  redisUrl: undefined,
  redisKeyPrefix: 'x:',
  redisReadyTimeoutMs: 0,
  ...over,
});

const ctx = (over: Partial<ToolCallContext> = {}): ToolCallContext => ({
  identity: { key: 'alice', workspaceKey: 'ws', customerId: 'c' },
  token: 't',
  era: 'session',
  mode: 'search',
  apps: null,
  enabledTools: [],
  ...over,
});

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] });

describe('ActionRuns and get-action-result', () => {
  let store: MemoryRunStore;
  beforeEach(() => (store = new MemoryRunStore()));
  afterEach(() => store.onModuleDestroy());

  const setup = (over: Partial<RunsConfig> = {}) => {
    const runs = new ActionRuns(store, config(over));
    return { runs, tool: new GetActionResultTool(runs, store) };
  };
  /** get-action-result until it no longer says running (each call waits at most ACTION_WAIT_SECONDS: 50 ms here). */
  const settled = async (tool: GetActionResultTool, runId: string): Promise<CallToolResult> => {
    for (let i = 0; i < 40; i++) {
      const r = await tool.call(ctx(), 'get-action-result', { runId, waitSeconds: 1 });
      if ((r.structuredContent as { status?: string } | undefined)?.status !== 'running') return r;
    }
    throw new Error('still running');
  };

  it('answers within the wait with the call itself; only in the wait modes (or with progress) does it apply', async () => {
    const { runs } = setup();
    expect(await runs.run(ctx(), 'run-action', async () => text('fast'))).toEqual(text('fast'));
    expect(store.size).toBe(0);
    expect(runs.applies(ctx({ mode: 'static' }), 'x')).toBe(false);
    expect(runs.applies(ctx({ mode: 'static', progress: async () => undefined }), 'x')).toBe(true);
    expect(runs.applies(ctx(), 'get-action-result')).toBe(false);
    expect(setup({ waitModes: ['static', 'search'] }).runs.listedModes.sort()).toEqual(['search', 'static']);
    expect(setup({ waitModes: [] }).runs.listedModes).toEqual(['search']);
  });

  it('gives a handle after the wait; the stored outcome is the JSON-RPC error the call threw, rethrown by get-action-result', async () => {
    const { runs, tool } = setup();
    const handle = await runs.run(ctx(), 'run-action', () =>
      later(120, null).then(() => Promise.reject(new RpcError(JsonRpcErrorCode.InvalidParams, 'bad tool'))),
    );
    const { runId } = handle.structuredContent as { runId: string };
    await expect(settled(tool, runId)).rejects.toMatchObject({
      code: JsonRpcErrorCode.InvalidParams,
      message: 'bad tool',
    });
  });

  it('replaces a result larger than it keeps by an error result saying so', async () => {
    const { runs, tool } = setup();
    const huge = text('x'.repeat(MAX_OUTCOME_CHARS + 10));
    const handle = await runs.run(ctx(), 'run-action', () => later(100, huge));
    const { runId } = handle.structuredContent as { runId: string };
    const result = await settled(tool, runId);
    expect(result).toMatchObject({ isError: true, structuredContent: { error: { type: 'result_too_large' } } });
  });

  it('sends progress while the call runs and stops once it ends or becomes a handle', async () => {
    const { runs } = setup({ waitMs: 150 });
    const seen: number[] = [];
    const progress = async (p: number) => void seen.push(p);
    await runs.run(ctx({ mode: 'static', progress }), 'x', () => later(250, text('done')));
    const atEnd = seen.length;
    expect(atEnd).toBeGreaterThanOrEqual(2);
    await runs.run(ctx({ progress }), 'x', () => later(400, text('long')));
    const atHandle = seen.length;
    await later(300, null);
    expect(seen.length).toBe(atHandle);
    expect(atHandle - atEnd).toBeGreaterThanOrEqual(2);
  });

  it('cancels the run when the request is cancelled before the handle, never after it', async () => {
    const { runs } = setup();
    const before = new AbortController();
    let seenSignal: AbortSignal | undefined;
    const call = runs.run(ctx({ signal: before.signal }), 'x', (c) => {
      seenSignal = c.signal;
      return new Promise((_, reject) => c.signal!.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    before.abort();
    await expect(call).rejects.toThrow('aborted');
    expect(seenSignal?.aborted).toBe(true);

    const after = new AbortController();
    const handle = await runs.run(ctx({ signal: after.signal }), 'x', (c) => {
      seenSignal = c.signal;
      return later(150, text('kept'));
    });
    after.abort();
    expect(seenSignal?.aborted).toBe(false);
    const { runId } = handle.structuredContent as { runId: string };
    expect(await settled(setup().tool, runId)).toMatchObject({ content: [{ text: 'kept' }] });
  });
});
