import type { SourceTool, ToolContext, ToolView } from './tool-source';

/** Characters of a query any provider reads (bounded work per request; the rest is ignored). */
export const MAX_QUERY_LENGTH = 1000;

/** One search of a caller's actions. */
export interface ActionSearchRequest {
  /** What the action should do, in the caller's words (at most MAX_QUERY_LENGTH characters count). */
  readonly query: string;
  /** Only these apps (integration keys). */
  readonly apps?: readonly string[];
  /** How many hits to return. */
  readonly limit: number;
}

export interface RankedAction {
  /** The caller's own tool (from the view the search ran on). */
  readonly tool: SourceTool;
  /** Relative relevance, 1 for the best hit of the query. */
  readonly score: number;
}

export interface ActionSearchResult {
  /** Best first, at most `limit`. */
  readonly hits: readonly RankedAction[];
  /** How many actions matched in all. */
  readonly total: number;
}

/**
 * The search port (SPEC §17): ranks a caller's actions (its view) for a request. Async: a provider
 * may ask an embeddings endpoint or Integration.app. `search-actions` asks the `ActionSearch` the
 * application provides (the fusion of every enabled provider); each provider is an `ActionSearch`
 * too and can be used alone.
 */
export abstract class ActionSearch {
  abstract search(ctx: ToolContext, view: ToolView, request: ActionSearchRequest): Promise<ActionSearchResult>;
}

/**
 * A ranking fused with the local one: found at start-up among the application's providers (any
 * module), like tool sources. `search` resolves `undefined` when the provider has nothing to say for
 * this request (switched off, no answer in time, endpoint down): the fusion then goes on without it.
 */
export abstract class ActionSearchProvider {
  /** Names the provider in logs and in the fusion's order. */
  abstract readonly providerName: string;
  /** Whether the operator switched it on (checked once, at start-up). */
  abstract enabled(): boolean;
  abstract search(ctx: ToolContext, view: ToolView, request: ActionSearchRequest): Promise<ActionSearchResult | undefined>;
}
