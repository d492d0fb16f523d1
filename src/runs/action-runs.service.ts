import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { JsonRpcErrorCode, RpcError } from '../common/json-rpc';
import { runsConfig, RunsConfig } from '../config/app.config';
import { errorResult } from '../tools/tool-results';
import { ToolCallRunner } from '../tools/tool-call-runner';
import type { ToolCallContext, ToolMode } from '../tools/tool-source';
import { newRunId, RunOutcome, RunStore } from './run.store';

export const GET_ACTION_RESULT = 'get-action-result';

/** The largest outcome kept for get-action-result (characters of its JSON); a larger one is replaced by an error result saying so. */
export const MAX_OUTCOME_CHARS = 4 * 1024 * 1024;

/** How long a stopping replica waits for its runs to end before it records them as interrupted. */
export const SHUTDOWN_DRAIN_MS = 5000;

/** The outcome of a run its replica stopped before it ended. */
const INTERRUPTED: RunOutcome = {
  kind: 'result',
  result: errorResult(
    'The server stopped while the action ran (a restart or a deploy), so whether it finished is unknown. ' +
      'Check its effect in the app before running it again.',
    { type: 'interrupted' },
  ) as Record<string, unknown>,
};

interface LocalRun {
  readonly controller: AbortController;
  /** Resolves with the outcome once it is stored. */
  done: Promise<RunOutcome>;
  interrupted: boolean;
}

/** Margin on top of ACTION_TIMEOUT_MS before a running entry nobody finished (its replica died) expires. */
const RUNNING_MARGIN_MS = 60_000;

export const TIMED_OUT = Symbol('timed out');

/** `promise`'s value, or TIMED_OUT after `ms` (the timer never outlives the race). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the caller gets for a thrown error: a JSON-RPC error it would have got from the call itself. */
function errorOutcome(err: unknown): RunOutcome {
  if (err instanceof RpcError) return { kind: 'error', code: err.code, message: err.message.slice(0, 2000) };
  return { kind: 'error', code: JsonRpcErrorCode.InternalError, message: 'Internal error' };
}

function serialize(outcome: RunOutcome): string {
  const text = JSON.stringify(outcome);
  if (text.length <= MAX_OUTCOME_CHARS) return text;
  const megabytes = (text.length / (1024 * 1024)).toFixed(1);
  const result = errorResult(
    `The action finished, but its result (${megabytes} MB) is larger than the server keeps for get-action-result (${MAX_OUTCOME_CHARS / (1024 * 1024)} MB). ` +
      'Run it again with arguments that return less (a filter, a smaller page).',
    { type: 'result_too_large', chars: text.length },
  );
  return JSON.stringify({ kind: 'result', result } satisfies RunOutcome);
}

/**
 * Long-running actions (SPEC §18), the registry's `ToolCallRunner`: while a top-level call runs it
 * sends `notifications/progress` every PROGRESS_INTERVAL_MS when the request asked for progress;
 * in the modes of ACTION_WAIT_MODES, a call still running after ACTION_WAIT_SECONDS answers with a
 * run handle (`{ status: "running", runId }`) and goes on; its outcome is then written to the run
 * store, where get-action-result finds it from any replica. Calls that end within the wait never
 * touch the store. A cancellation of the request before the handle cancels the run; after it, the
 * request is over and the run belongs to the handle (ACTION_TIMEOUT_MS still bounds it).
 */
@Injectable()
export class ActionRuns extends ToolCallRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ActionRuns.name);
  private readonly waitModes: ReadonlySet<ToolMode>;
  /** Runs of this replica that outlived their wait, until their outcome is stored: get-action-result on this replica awaits them directly. */
  private readonly local = new Map<string, LocalRun>();

  constructor(
    private readonly store: RunStore,
    @Inject(runsConfig.KEY) private readonly config: RunsConfig,
  ) {
    super();
    this.waitModes = new Set(config.waitModes);
  }

  /** The modes where get-action-result is listed: search always, and those the wait applies in. */
  get listedModes(): ToolMode[] {
    return [...new Set<ToolMode>(['search', ...this.config.waitModes])];
  }

  get waitMs(): number {
    return this.config.waitMs;
  }

  get resultTtlSeconds(): number {
    return this.config.resultTtlSeconds;
  }

  applies(ctx: ToolCallContext, name: string): boolean {
    return name !== GET_ACTION_RESULT && (ctx.progress !== undefined || this.waitModes.has(ctx.mode));
  }

  async run(ctx: ToolCallContext, name: string, call: (ctx: ToolCallContext) => Promise<CallToolResult>): Promise<CallToolResult> {
    const mark: { id?: string } = {};
    // The run's own signal: the request's cancellation reaches it only until the handle is returned.
    const controller = new AbortController();
    const onAbort = () => controller.abort(ctx.signal?.reason);
    if (ctx.signal?.aborted) controller.abort(ctx.signal.reason);
    else ctx.signal?.addEventListener('abort', onAbort, { once: true });
    const detach = () => ctx.signal?.removeEventListener('abort', onAbort);
    const started = Date.now();
    const running = call({ ...ctx, signal: controller.signal, run: mark });
    const stopProgress = ctx.progress ? this.progressTicker(ctx.progress, started) : undefined;
    try {
      if (!this.waitModes.has(ctx.mode)) return await running;
      const first = await within(running, this.config.waitMs);
      if (first !== TIMED_OUT) return first;
      const runId = newRunId();
      const owner = ctx.identity.key;
      let created = false;
      try {
        created = await this.store.create(owner, runId, {
          maxPerIdentity: this.config.maxRunsPerIdentity,
          runningTtlMs: this.config.actionTimeoutMs + RUNNING_MARGIN_MS,
        });
      } catch (err) {
        this.logger.warn(`Cannot store a run handle (the call waits to its end instead): ${(err as Error).message}`);
      }
      // All of the caller's runs still run (MAX_RUNS_PER_IDENTITY), the store failed, or the request was cancelled meanwhile: no handle.
      if (!created || controller.signal.aborted) return await running;
      detach();
      mark.id = runId;
      const local = { controller, interrupted: false } as LocalRun;
      local.done = this.settle(owner, runId, running, local);
      this.local.set(runId, local);
      return this.handle(runId, Date.now() - started);
    } finally {
      detach();
      stopProgress?.();
    }
  }

  /** Writes the run's outcome to the store once it ends; resolves with it. */
  private async settle(owner: string, runId: string, running: Promise<CallToolResult>, local: LocalRun): Promise<RunOutcome> {
    let outcome: RunOutcome;
    try {
      outcome = { kind: 'result', result: (await running) as Record<string, unknown> };
    } catch (err) {
      outcome = errorOutcome(err);
    }
    if (local.interrupted) outcome = INTERRUPTED;
    const text = serialize(outcome);
    try {
      await this.store.finish(owner, runId, text, this.config.resultTtlSeconds * 1000);
    } catch (err) {
      this.logger.warn(`Cannot store the result of run ${runId.slice(0, 12)}…: ${(err as Error).message}`);
    } finally {
      this.local.delete(runId);
    }
    return JSON.parse(text) as RunOutcome;
  }

  /** This replica's run of that id, while its outcome is not stored yet. */
  localRun(runId: string): Promise<RunOutcome> | undefined {
    return this.local.get(runId)?.done;
  }

  /** What a call that outlived its wait answers (and get-action-result while the run goes on). */
  handle(runId: string, elapsedMs?: number): CallToolResult {
    const sofar = elapsedMs === undefined ? '' : ` (${Math.round(elapsedMs / 1000)} s so far)`;
    return {
      content: [
        {
          type: 'text',
          text:
            `The action is still running${sofar} and goes on without you waiting. ` +
            `Call ${GET_ACTION_RESULT} with {"runId": "${runId}"} to get its result (each call waits a while for it; call again while it says running). ` +
            'Do not run the action again: it would run twice.',
        },
      ],
      structuredContent: { status: 'running', runId },
    };
  }

  /** notifications/progress every PROGRESS_INTERVAL_MS while the call runs; returns the stop function. */
  private progressTicker(progress: NonNullable<ToolCallContext['progress']>, started: number): () => void {
    const timer = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      progress(seconds, `Still running (${Math.round(seconds)} s)`).catch(() => undefined);
    }, this.config.progressIntervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * A stopping replica waits (SHUTDOWN_DRAIN_MS) for its runs to end and store their outcome; the
   * rest are aborted and stored as interrupted, so their owners learn it at once instead of seeing
   * "running" until the entry expires. (The run store closes its connection after this hook.)
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.local.size === 0) return;
    await within(Promise.allSettled([...this.local.values()].map((r) => r.done)), SHUTDOWN_DRAIN_MS);
    const left = [...this.local.values()];
    for (const run of left) {
      run.interrupted = true;
      run.controller.abort(new Error('server shutting down'));
    }
    if (left.length) this.logger.warn(`${left.length} long-running action(s) interrupted by the shutdown`);
    await within(Promise.allSettled(left.map((r) => r.done)), 2000);
  }
}
