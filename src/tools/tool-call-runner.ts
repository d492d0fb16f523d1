import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolCallContext } from './tool-source';

/**
 * The port through which a call can outlive its request (SPEC §18, long-running actions): a
 * provider of a class extending it, in any module, is found at start-up and the registry hands it
 * every top-level `tools/call` it `applies` to. It runs the call (with progress notifications while
 * it runs) and decides whether the caller gets the call's own result or a run handle. Nested calls
 * (`run-action` running an action) carry `ctx.run` and go straight through.
 */
export abstract class ToolCallRunner {
  /** Whether this call goes through `run` (cheap: it is asked on every top-level call). */
  abstract applies(ctx: ToolCallContext, name: string): boolean;
  /** Runs `call` (the registry's own path) for the caller; `ctx.run` is set on the context `call` gets. */
  abstract run(ctx: ToolCallContext, name: string, call: (ctx: ToolCallContext) => Promise<CallToolResult>): Promise<CallToolResult>;
}
