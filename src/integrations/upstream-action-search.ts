import { Inject, Injectable, Logger } from '@nestjs/common';
import { searchConfig, SearchConfig } from '../config/search.config';
import { ActionSearchProvider, ActionSearchRequest, ActionSearchResult, MAX_QUERY_LENGTH } from '../tools/action-search.port';
import type { SourceTool, ToolContext, ToolView } from '../tools/tool-source';
import type { ActionTool } from './tool-catalog';
import { IntegrationAppGateway } from './integration-app.gateway';

const LOG_EVERY_MS = 60_000;

function isActionTool(tool: SourceTool): tool is ActionTool {
  return typeof (tool as Partial<ActionTool>).entry === 'object';
}

/**
 * Integration.app's own action search (SPEC §17), fused with the local ranking when the operator
 * sets `SEARCH_UPSTREAM=true` (off by default: it costs one upstream request per search). Asks
 * `GET /actions?intent=…` with the caller's token (plus `connectionId` when the search is narrowed to
 * one app with one connection) and keeps only actions of the caller's own view, so policy and `apps`
 * still hold. Late or failed answers leave the local ranking alone.
 */
@Injectable()
export class UpstreamActionSearch extends ActionSearchProvider {
  readonly providerName = 'integration-app';
  private readonly logger = new Logger(UpstreamActionSearch.name);
  private readonly byAction = new WeakMap<ToolView, Map<string, SourceTool>>();
  private lastLog = 0;

  constructor(
    private readonly gateway: IntegrationAppGateway,
    @Inject(searchConfig.KEY) private readonly config: SearchConfig,
  ) {
    super();
  }

  enabled(): boolean {
    return this.config.upstream;
  }

  async search(ctx: ToolContext, view: ToolView, request: ActionSearchRequest): Promise<ActionSearchResult | undefined> {
    const tools = this.actionsOf(view);
    if (tools.size === 0) return undefined;
    let connectionId: string | undefined;
    if (request.apps?.length === 1) {
      const first = view.appTools(request.apps[0]).find(isActionTool);
      if (first && first.entry.connections.length === 1) connectionId = first.entry.connections[0].id;
    }
    let found;
    try {
      found = await this.gateway.searchActions(ctx.token, request.query.slice(0, MAX_QUERY_LENGTH), {
        connectionId,
        limit: Math.min(50, request.limit),
        timeoutMs: this.config.upstreamTimeoutMs,
      });
    } catch (err) {
      this.warn(`failed (${(err as Error).message.slice(0, 200)})`);
      return undefined;
    }
    if (!found) return undefined;
    const allowed = request.apps?.length ? new Set(request.apps) : undefined;
    const hits: SourceTool[] = [];
    const seen = new Set<SourceTool>();
    for (const action of found) {
      const tool = tools.get(`${action.integrationId}\u0000${action.key}`);
      if (!tool || seen.has(tool) || (allowed && !allowed.has(tool.app ?? ''))) continue;
      seen.add(tool);
      hits.push(tool);
    }
    return { hits: hits.slice(0, request.limit).map((tool, rank) => ({ tool, score: Math.round((1 / (rank + 1)) * 1000) / 1000 })), total: hits.length };
  }

  /** The view's actions by integration id and action key (how Integration.app names them). */
  private actionsOf(view: ToolView): Map<string, SourceTool> {
    let map = this.byAction.get(view);
    if (!map) {
      map = new Map();
      for (const tool of view.tools) if (isActionTool(tool)) map.set(`${tool.entry.integrationId}\u0000${tool.entry.actionKey}`, tool);
      this.byAction.set(view, map);
    }
    return map;
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastLog < LOG_EVERY_MS) return;
    this.lastLog = now;
    this.logger.warn(`Integration.app action search ${message}; the local ranking answers`);
  }
}
