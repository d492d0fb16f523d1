import type { RankedAction } from '../action-search.port';
import { isNotConnected } from '../not-connected-actions.port';
import { readSafe } from './fused-action-search';

/**
 * What an action of an app the caller has not connected weighs against a connected one of the same
 * relevance: its score is multiplied by this before the final order. An equally good connected
 * action always comes first; a not-connected one comes first only when it is clearly better (more
 * than 1 / 0.85 ≈ 18 % above), e.g. when the request names its app ("create a task in Asana").
 */
export const NOT_CONNECTED_WEIGHT = 0.85;

/** How deep the widened search is read so that the reordering has connected hits to move up. */
export function widenedDepth(limit: number): number {
  return Math.min(50, Math.max(limit * 2, limit + 10));
}

/**
 * The final order of a search over a view widened with not-connected actions (one ranking of both,
 * so their scores compare): not-connected scores weighed down by NOT_CONNECTED_WEIGHT, ties to the
 * connected action, then the safety order again (no destructive action first for a request that does
 * not ask to destroy), best scaled to 1, cut to `limit`.
 */
export function connectedFirst(query: string, hits: readonly RankedAction[], limit: number): RankedAction[] {
  const weighed = hits
    .map((h, rank) => ({ h, rank, score: isNotConnected(h.tool) ? h.score * NOT_CONNECTED_WEIGHT : h.score }))
    .sort((a, b) => b.score - a.score || Number(isNotConnected(a.h.tool)) - Number(isNotConnected(b.h.tool)) || a.rank - b.rank);
  const top = weighed[0]?.score || 1;
  const scaled = weighed.map((w) => ({ tool: w.h.tool, score: Math.round((w.score / top) * 1000) / 1000 }));
  return readSafe(query, scaled).slice(0, limit);
}
