/**
 * What the long-running-action layer (SPEC §18, src/runs/) costs a call, in process, by hand:
 *
 *   npx ts-node --transpile-only bench/run-handle-overhead.ts
 *
 * 1. A call that ends within ACTION_WAIT_SECONDS (the common case in search mode): ActionRuns.run around
 *    an already-resolved call, against the bare call — CPU µs per call (process.cpuUsage, so a busy
 *    machine slows both alike rather than adding wall-clock noise).
 * 2. A call that outlives its wait: handle creation, the outcome stored, get-action-result reading it
 *    (memory store) — CPU µs per run.
 * RH_CALLS (default 200,000) and RH_RUNS (default 5,000) set the counts.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ActionRuns } from '../src/runs/action-runs.service';
import { GetActionResultTool } from '../src/runs/get-action-result.tool';
import { MemoryRunStore } from '../src/runs/memory-run.store';
import type { RunsConfig } from '../src/config/app.config';
import type { ToolCallContext } from '../src/tools/tool-source';

const CALLS = Number(process.env.RH_CALLS ?? 200_000);
const RUNS = Number(process.env.RH_RUNS ?? 5_000);

const config = (waitMs: number): RunsConfig => ({
  waitMs,
  waitModes: ['search'],
  resultTtlSeconds: 900,
  maxRunsPerIdentity: 50,
  progressIntervalMs: 5000,
  actionTimeoutMs: 60_000,
  redisUrl: undefined,
  redisKeyPrefix: 'bench:',
  redisReadyTimeoutMs: 0,
});
const ctx: ToolCallContext = {
  identity: { key: 'bench', workspaceKey: 'ws', customerId: 'c' },
  token: 't',
  era: 'session',
  mode: 'search',
  apps: null,
  enabledTools: [],
};
const RESULT: CallToolResult = { content: [{ type: 'text', text: '{"ok":true}' }], structuredContent: { ok: true } };

async function cpuMicros(n: number, fn: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

async function main(): Promise<void> {
  const store = new MemoryRunStore();
  const fast = new ActionRuns(store, config(25_000));
  const bare = () => Promise.resolve(RESULT);
  const wrapped = () => fast.run(ctx, 'run-action', bare);
  for (let i = 0; i < 20_000; i++) await wrapped(); // warm-up
  const baseline = await cpuMicros(CALLS, bare);
  const withRunner = await cpuMicros(CALLS, wrapped);
  process.stdout.write(`call within the wait: ${(withRunner - baseline).toFixed(2)} µs CPU added per call (${CALLS} calls)\n`);

  // Waits of 0 ms: every call becomes a handle; the call resolves 2 ms later (CPU time does not count the sleep).
  const slow = new ActionRuns(store, config(0));
  const tool = new GetActionResultTool(slow, store);
  const later = () => new Promise<CallToolResult>((resolve) => setTimeout(() => resolve(RESULT), 2));
  let handles = 0;
  const oneRun = async () => {
    const handle = await slow.run(ctx, 'run-action', later);
    const runId = (handle.structuredContent as { runId?: string }).runId;
    if (!runId) return;
    handles++;
    await tool.call(ctx, 'get-action-result', { runId, waitSeconds: 1 });
  };
  for (let i = 0; i < 500; i++) await oneRun();
  handles = 0;
  const perRun = await cpuMicros(RUNS, oneRun);
  process.stdout.write(
    `handle + stored outcome + get-action-result: ${perRun.toFixed(1)} µs CPU per run (${RUNS} runs, ${handles} became handles, memory store)\n`,
  );
  store.onModuleDestroy();
}

void main();
