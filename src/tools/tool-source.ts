import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Identity } from '../auth/identity';
import type { ToolPolicy } from './policy';

/**
 * How a caller sees the tools: every tool (static); `enable-tools`, `search-actions`,
 * `describe-actions` plus what it enabled (dynamic); the four discovery tools (search).
 */
export type ToolMode = 'static' | 'dynamic' | 'search';

/**
 * Who calls and how, for one MCP request: what every tool source and mode tool gets. Built by the
 * transports (from the session record in the session era); sources never see HTTP.
 */
export interface ToolContext {
  /** The caller, verified. */
  readonly identity: Identity;
  /** The caller's newest access token (for upstream calls on the caller's behalf). */
  readonly token: string;
  /**
   * The protocol era of the request: `session` (2025-11-25 and earlier: `initialize`, a session
   * record) or `stateless` (2026-07-28: everything comes with the request, nothing is stored).
   */
  readonly era: 'session' | 'stateless';
  /** The session of the request (session era), if any. */
  readonly session?: { readonly id: string; readonly transport: 'streamable-http' | 'sse' };
  readonly mode: ToolMode;
  /** Integration keys the caller limited itself to (`?apps=`); null = all. */
  readonly apps: readonly string[] | null;
  /** Dynamic mode: the tool names enabled so far. */
  readonly enabledTools: readonly string[];
  /** The request's own narrowing (read-only, allow/deny lists); the operator's ceiling is applied on top. */
  readonly policy?: ToolPolicy;
}

/** A `ToolContext` for one `tools/call`. */
export interface ToolCallContext extends ToolContext {
  /** Aborts when the client cancels the call or goes away. */
  readonly signal?: AbortSignal;
  /**
   * Sends a notification to the client on exactly one stream (never the same message twice): the
   * session's GET /mcp stream when it has one open on any replica, else this request's own response stream.
   */
  readonly notify?: (method: string) => Promise<void>;
  /** The HTTP request's id (`x-request-id`), for the audit line. */
  readonly requestId?: string;
  /** Details a source adds to the call's audit line (e.g. the connection an action ran on). */
  readonly audit?: { connectionId?: string };
  /** Set by the registry while a mode tool runs: whether a call it made back into the registry wrote the audit line. */
  readonly trail?: { audited: boolean };
  /**
   * Sends `notifications/progress` for this request (only when the request carried a
   * `progressToken`): on the request's own stream, in both eras.
   */
  readonly progress?: (progress: number, message?: string) => Promise<void>;
  /**
   * Set by the `ToolCallRunner` on the calls it runs: `id` is the run handle's id once the call
   * outlived its wait (written on the audit line). Nested calls see it and are not run again.
   */
  readonly run?: { id?: string };
  /** `scheme://host[:port]` the request came to (for links on this server when PUBLIC_URL is unset). */
  readonly origin?: string;
  /**
   * Offers a URL to the user through the client (URL-mode elicitation), when the client declared it
   * supports that; the answer is not awaited (the tool result carries the URL too).
   */
  readonly elicitUrl?: (params: { message: string; url: string; elicitationId: string }) => void;
}

/** A tool as a source offers it. */
export interface SourceTool {
  /** The MCP tool definition (name, title, description, inputSchema, annotations, …) as listed. */
  readonly definition: Tool;
  /** The app (Integration.app integration key) the tool belongs to: `?apps=` selects by it. Tools without one are hidden when `apps` is set. */
  readonly app?: string;
  /** Other names `enable-tools` accepts for this tool (e.g. `<integrationKey>-<actionKey>`). */
  readonly aliases?: readonly string[];
  /** The upstream action type where the source has one (Integration.app: `list-data-records`, `delete-data-record`…). */
  readonly actionType?: string;
}

/**
 * The port every tool source implements: a provider of a class extending `ToolSource`, in any
 * module of the application, is found at start-up and merged into the registry. The registry
 * applies the caller's view (mode, `apps`, enabled tools) and the per-tenant limits, and records
 * the call's outcome; a source only lists its tools and runs one.
 *
 * `list` should return the same array for the same data (memoize it): views and the serialized
 * `tools/list` are cached by the identity of the arrays the sources return.
 */
export abstract class ToolSource {
  /** Names the source in start-up errors and metrics. */
  abstract readonly sourceName: string;

  /**
   * Names this source always offers, checked at start-up: two sources claiming one name stop the
   * server with an error naming both. A source whose names depend on the caller returns [].
   */
  reservedNames(): readonly string[] {
    return [];
  }

  /** The caller's tools from this source (before the caller's view is applied). */
  abstract list(ctx: ToolContext): Promise<readonly SourceTool[]>;

  /** Runs one of this source's tools; the registry has checked that the caller may see it. */
  abstract call(ctx: ToolCallContext, tool: SourceTool, args: Record<string, unknown>): Promise<CallToolResult>;

  /**
   * Its tools whose calls use the request's own stream while they run ({@link CallStream}), by name
   * (read once at start-up, as {@link ModeToolSet.callStreams} is): a tool that notifies or elicits
   * says so here, and the protocol layer answers a call of it as a stream. The protocol layer asks
   * the registry (`ToolRegistry.callStream`), never a tool's name.
   */
  readonly callStreams?: Readonly<Record<string, CallStream>>;
}

/** The caller's tools as a mode tool sees them: every tool its `apps` allow, enabled or not. */
export interface ToolView {
  readonly tools: readonly SourceTool[];
  /** By listed name, then by alias (case-insensitive). */
  resolve(nameOrAlias: string): SourceTool | undefined;
  /** The tools of one app (integration key, case-insensitive). */
  appTools(app: string): readonly SourceTool[];
  /** The app keys among the tools, sorted. */
  readonly apps: readonly string[];
  /** Closest names (tools and apps) to a miss, for "did you mean". Bounded work. */
  suggest(text: string): string[];
}

/**
 * What a call of a tool sends on its request's own response stream while it runs, besides its
 * result: `notifies` — a notification the client must get (e.g. `notifications/tools/list_changed`
 * after `enable-tools`); `elicits` — a URL elicitation, to clients that declared they support it
 * (connect-app). A transport that would answer the request with plain JSON answers it as a stream then.
 */
export type CallStream = 'notifies' | 'elicits';

/**
 * Tools that belong to a mode rather than to a source of actions (`enable-tools` in dynamic mode;
 * the discovery tools later): listed only in their modes, they work on the caller's view. Found at
 * start-up like sources; their names are reserved.
 */
export abstract class ModeToolSet {
  abstract readonly modes: readonly ToolMode[];
  /** The names of its tools (reserved at start-up). */
  abstract readonly names: readonly string[];
  /** Its tool definitions for a view (memoize by view: the same view object for the same data). */
  abstract definitions(view: ToolView): readonly Tool[];
  abstract call(ctx: ToolCallContext, name: string, args: Record<string, unknown>, view: ToolView): Promise<CallToolResult>;
  /**
   * Its tools whose calls use the request's own stream while they run ({@link CallStream}), by name
   * (read once at start-up). The protocol layer asks the registry, never a tool's name.
   */
  readonly callStreams?: Readonly<Record<string, CallStream>>;
}
