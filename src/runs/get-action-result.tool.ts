import { Injectable } from '@nestjs/common';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { RpcError } from '../common/json-rpc';
import { errorResult, withStructuredOutput } from '../tools/tool-results';
import { ModeToolSet, ToolCallContext, ToolMode } from '../tools/tool-source';
import { ActionRuns, GET_ACTION_RESULT, TIMED_OUT, within } from './action-runs.service';
import { RUN_ID_PATTERN, RunOutcome, RunStore } from './run.store';

/** SPEC §18: `waitSeconds` is 0..25, 10 when absent (and never more than ACTION_WAIT_SECONDS). */
export const MAX_WAIT_SECONDS = 25;
export const DEFAULT_WAIT_SECONDS = 10;
/** How often a run of another replica is looked up while get-action-result waits for it. */
const POLL_MS = 250;

function invalid(field: string, message: string): CallToolResult {
  return errorResult(`Invalid arguments for ${GET_ACTION_RESULT}: "${field}" ${message}.`, { type: 'invalid_arguments', fields: [{ path: field, message }] });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `get-action-result { runId, waitSeconds? }`: the outcome of a call that answered with a run
 * handle — exactly what the call would have returned (its tool result, or the JSON-RPC error it
 * threw) — once it ended, or `{ status: "running", runId }` again. Listed in search mode, and in
 * the other modes of ACTION_WAIT_MODES. Owner-bound: another identity's run id is "not found",
 * like an unknown or expired one.
 */
@Injectable()
export class GetActionResultTool extends ModeToolSet {
  readonly modes: readonly ToolMode[];
  readonly names = [GET_ACTION_RESULT];
  private readonly definitionList: readonly Tool[];

  constructor(
    private readonly runs: ActionRuns,
    private readonly store: RunStore,
  ) {
    super();
    this.modes = runs.listedModes;
    this.definitionList = [
      {
        name: GET_ACTION_RESULT,
        title: 'Get action result',
        description:
          'Returns the result of an action that was still running when its call answered with { "status": "running", "runId": … }: ' +
          'exactly what the action returns once it has finished, or { "status": "running" } again (then call this again). ' +
          `Results are kept ${Math.round(runs.resultTtlSeconds / 60)} minutes after the action ends.`,
        inputSchema: {
          type: 'object',
          properties: {
            runId: { type: 'string', pattern: RUN_ID_PATTERN.source, maxLength: 36, description: 'The runId the running call returned.' },
            waitSeconds: {
              type: 'number',
              minimum: 0,
              maximum: MAX_WAIT_SECONDS,
              default: DEFAULT_WAIT_SECONDS,
              description: `How long to wait for the action to finish before answering "running" (0 to ${MAX_WAIT_SECONDS} s, default ${DEFAULT_WAIT_SECONDS}).`,
            },
          },
          required: ['runId'],
          additionalProperties: false,
        },
        outputSchema: {
          type: 'object',
          additionalProperties: true,
          description:
            'The action\'s own result once it has finished (its output when an object, else { "output": <the value> }); ' +
            'while it runs, { "status": "running", "runId": … }.',
        },
        annotations: { title: 'Get action result', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      },
    ];
  }

  definitions(): readonly Tool[] {
    return this.definitionList;
  }

  async call(ctx: ToolCallContext, _name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const { runId, waitSeconds } = args;
    if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) {
      return invalid('runId', 'must be the runId a running call returned ("run_" and 32 letters, digits, "-" or "_")');
    }
    if (waitSeconds !== undefined && (typeof waitSeconds !== 'number' || !Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS)) {
      return invalid('waitSeconds', `must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`);
    }
    const waitMs = Math.min((waitSeconds ?? DEFAULT_WAIT_SECONDS) * 1000, this.runs.waitMs);
    const deadline = Date.now() + waitMs;
    const owner = ctx.identity.key;
    for (;;) {
      const run = await this.store.get(owner, runId);
      if (!run) return this.notFound(runId);
      if (run.status === 'done') return this.answer(run.outcome);
      const left = deadline - Date.now();
      if (left <= 0 || ctx.signal?.aborted) return this.runs.handle(runId);
      // This replica's own run: its outcome as soon as it ends; another replica's: the store, a few times a second.
      const local = this.runs.localRun(runId);
      if (local) {
        const outcome = await within(local, left);
        return outcome === TIMED_OUT ? this.runs.handle(runId) : this.answer(outcome);
      }
      await sleep(Math.min(POLL_MS, left));
    }
  }

  private answer(outcome: RunOutcome): CallToolResult {
    if (outcome.kind === 'error') throw new RpcError(outcome.code, outcome.message);
    // The tool's outputSchema asks for structured content: a non-object output comes as { output }, as run-action gives it.
    return withStructuredOutput(outcome.result as CallToolResult);
  }

  private notFound(runId: string): CallToolResult {
    return errorResult(
      `No run "${runId}" was found: it expired (results are kept ${Math.round(this.runs.resultTtlSeconds / 60)} minutes after the action ends), ` +
        'was dropped for newer ones, or was never started by this user. Run the action again if you still need its result — check first that it did not already take effect.',
      { type: 'not_found', runId },
    );
  }
}
