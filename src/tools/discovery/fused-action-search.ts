import { Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { ToolContext, ToolView } from '../tool-source';
import { actionKind, destroysIn } from './action-kind';
import { ActionSearch, ActionSearchProvider, ActionSearchRequest, ActionSearchResult, RankedAction } from '../action-search.port';
import { appWordsIn } from './action-search';
import { LocalActionSearch } from './local-action-search';
import { analyzeQuery } from './search-language';

/** Reciprocal rank fusion's constant (Cormack et al., 2009): damps the weight of the very first ranks. */
export const RRF_K = 60;
/**
 * How deep each ranking is read, for fusion and for the safety order: a request that does not ask
 * to destroy gets its first non-destructive hit first even when the `limit` best are all destructive
 * (a read request that mentions "deleted" or "cancelled" things matches delete and cancel actions).
 */
export const SEARCH_DEPTH = 50;

/**
 * Reciprocal rank fusion: each list gives an action 1 / (k + rank); the sums decide, scaled so the
 * best is 1. Lists of different providers need no common score scale.
 */
export function reciprocalRankFusion(lists: ReadonlyArray<readonly RankedAction[]>, k = RRF_K): RankedAction[] {
  const sums = new Map<string, { action: RankedAction; sum: number; best: number }>();
  lists.forEach((list) =>
    list.forEach((hit, rank) => {
      const name = hit.tool.definition.name;
      const entry = sums.get(name) ?? { action: hit, sum: 0, best: Infinity };
      entry.sum += 1 / (k + rank + 1);
      entry.best = Math.min(entry.best, rank);
      sums.set(name, entry);
    }),
  );
  const fused = [...sums.values()].sort(
    (a, b) => b.sum - a.sum || a.best - b.best || a.action.tool.definition.name.localeCompare(b.action.tool.definition.name),
  );
  const top = fused[0]?.sum ?? 1;
  return fused.map((f) => ({ tool: f.action.tool, score: Math.round((f.sum / top) * 1000) / 1000 }));
}

/**
 * Safety (SPEC §17): for a request that reads ("who…", "show", "find") — and for any request whose own
 * words do not ask to delete, cancel, void, unsubscribe… — destructive actions come after every other
 * hit, so none is ever first. Scores stay non-increasing and the best is 1.
 */
export function readSafe(query: string, hits: readonly RankedAction[]): RankedAction[] {
  if (hits.length < 2) return [...hits];
  // The request read as the ranker reads it: a word of an app it names is not its verb.
  const appWords = appWordsIn(
    query,
    hits.map((h) => h.tool),
  );
  const analysis = analyzeQuery(query, appWords);
  if (analysis.intent !== 'read' && destroysIn(analysis)) return [...hits];
  const kept = hits.filter((h) => actionKind(h.tool) !== 'destructive');
  if (kept.length === 0 || kept.length === hits.length) return [...hits];
  const ordered = [...kept, ...hits.filter((h) => actionKind(h.tool) === 'destructive')];
  const top = ordered[0].score || 1;
  let previous = 1;
  return ordered.map((h) => {
    previous = Math.min(previous, Math.round((h.score / top) * 1000) / 1000);
    return { tool: h.tool, score: previous };
  });
}

/**
 * The first `limit` of a ranking read deeper (`SEARCH_DEPTH`), in the safety order: `readSafe` of the
 * first `limit`, as before; only when all of them destroy and the request does not ask to, the best
 * action further down that does not destroy comes first (the others keep their order).
 */
export function safeTop(query: string, hits: readonly RankedAction[], limit: number): RankedAction[] {
  const top = readSafe(query, hits.slice(0, limit));
  if (top.length === 0 || actionKind(top[0].tool) !== 'destructive' || hits.length <= limit) return top;
  const deeper = readSafe(query, hits)[0];
  if (actionKind(deeper.tool) === 'destructive') return top;
  return readSafe(query, [...hits.slice(0, Math.max(0, limit - 1)), deeper]);
}

/**
 * The `ActionSearch` of the application: the local ranker, fused (reciprocal rank fusion) with every
 * enabled `ActionSearchProvider` found at start-up (embeddings, Integration.app's own search, a
 * team's own). A provider that fails or answers late is left out of that search; with none enabled
 * this is the local ranker alone. Read requests never get a destructive action first.
 */
@Injectable()
export class FusedActionSearch extends ActionSearch implements OnApplicationBootstrap {
  private readonly logger = new Logger(FusedActionSearch.name);
  private providers: ActionSearchProvider[] = [];

  constructor(
    private readonly local: LocalActionSearch,
    @Optional() private readonly discovery?: DiscoveryService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    const found = new Set<ActionSearchProvider>();
    for (const wrapper of this.discovery?.getProviders() ?? []) {
      if (wrapper.instance instanceof ActionSearchProvider) found.add(wrapper.instance);
    }
    this.useProviders([...found]);
  }

  /** The providers fused with the local ranker (those switched on). */
  useProviders(providers: readonly ActionSearchProvider[]): void {
    this.providers = providers.filter((p) => p.enabled()).sort((a, b) => a.providerName.localeCompare(b.providerName));
    if (this.providers.length) this.logger.log(`Search fuses the local ranker with: ${this.providers.map((p) => p.providerName).join(', ')}`);
  }

  async search(ctx: ToolContext, view: ToolView, request: ActionSearchRequest): Promise<ActionSearchResult> {
    const deep = { ...request, limit: Math.max(request.limit, SEARCH_DEPTH) };
    if (this.providers.length === 0) {
      const { hits, total } = this.local.searchNow(view, deep);
      return { hits: safeTop(request.query, hits, request.limit), total };
    }
    const local = this.local.searchNow(view, deep);
    const others = await Promise.all(
      this.providers.map((p) =>
        p.search(ctx, view, deep).catch((err: unknown) => {
          this.logger.warn(`Search provider ${p.providerName} failed: ${String((err as Error)?.message).slice(0, 200)}; the local ranking answers`);
          return undefined;
        }),
      ),
    );
    const lists = [local, ...others.filter((r): r is ActionSearchResult => r !== undefined)];
    if (lists.length === 1) return { hits: readSafe(request.query, local.hits).slice(0, request.limit), total: local.total };
    const fused = reciprocalRankFusion(lists.map((l) => l.hits));
    return { hits: readSafe(request.query, fused).slice(0, request.limit), total: Math.max(fused.length, ...lists.map((l) => l.total)) };
  }
}
