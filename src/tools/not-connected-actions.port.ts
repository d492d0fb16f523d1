import type { SourceTool, ToolContext, ToolView } from './tool-source';

/**
 * An action of a workspace app the caller has not connected (SPEC §16): listed by `search-actions`
 * with `connected: false` so an agent learns that connecting the app would help; never runnable
 * (running it is an `isError` result naming `connect-app`). Its name is the tool name the action
 * gets once the app is connected.
 */
export interface NotConnectedTool extends SourceTool {
  /** The app (integration key) to pass to `connect-app`. */
  readonly app: string;
  /** The app's display name. */
  readonly appName: string;
  readonly notConnected: true;
}

export function isNotConnected(tool: SourceTool): tool is NotConnectedTool {
  return (tool as Partial<NotConnectedTool>).notConnected === true;
}

/**
 * Where `search-actions` finds actions of apps the caller has not connected, and how a run tool
 * learns that a name it cannot run belongs to one. Implemented by the connect feature (it owns
 * `connect-app`); absent, or answering `undefined`, the discovery tools behave as before.
 */
export abstract class NotConnectedActions {
  /**
   * The caller's view followed by the not-connected actions it may see (its policy and `apps`
   * applied, apps it has connected left out), or undefined when there are none or they do not
   * apply here (no `connect-app` the caller could call). The same object for the same parts, so
   * search indexes are reused.
   */
  abstract widen(ctx: ToolContext, view: ToolView): Promise<ToolView | undefined>;
  /** The not-connected action of that name (or alias) the caller may see, if any. */
  abstract find(ctx: ToolContext, view: ToolView, name: string): Promise<NotConnectedTool | undefined>;
}
