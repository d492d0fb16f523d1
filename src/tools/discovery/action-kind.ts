import type { SourceTool } from '../tool-source';
import { analyzeQuery, operationsOf, type QueryAnalysis, stemWord, words } from './search-language';
import kinds from './data/action-kinds.json';

/** What running an action does: reads, writes, or destroys (deletes, voids, cancels, unsubscribes…). */
export type ActionKind = 'read' | 'write' | 'destructive';

const UPSTREAM_TYPES = kinds.upstreamTypes as Record<string, ActionKind>;
const DESTRUCTIVE_VERBS = new Set(kinds.destructiveVerbs.map(stemWord));
const READ_VERBS = new Set(kinds.readVerbs.map(stemWord));

/** The Integration.app action type a tool carries (`list-data-records`, `delete-data-record`…), if any. */
export function upstreamTypeOf(tool: SourceTool): string | undefined {
  const type = (tool as { actionType?: unknown }).actionType;
  return typeof type === 'string' ? type : undefined;
}

/** The action's key without its app prefix. */
function keyOf(tool: SourceTool): string {
  const name = tool.definition.name;
  return tool.app && name.startsWith(`${tool.app}_`) ? name.slice(tool.app.length + 1) : name;
}

/**
 * Whether an action reads, writes or destroys: from the upstream action type where Integration.app
 * gives one (`find-data-record-by-id` reads, `delete-data-record` destroys, `find-or-create-…`
 * writes), else from the verb its key starts with; the listed annotations break the tie.
 */
export function actionKind(tool: SourceTool): ActionKind {
  let kind = KINDS.get(tool);
  if (kind === undefined) {
    kind = kindOf(tool);
    KINDS.set(tool, kind);
  }
  return kind;
}

/**
 * Each tool's kind, worked out once: the ranker asks it of every hit of every search (stemming the
 * key's verb each time was ≈ 30 % of a search's CPU at 600 actions). Keyed weakly by the catalog's
 * own tool objects, so the entries go with the catalog.
 */
const KINDS = new WeakMap<SourceTool, ActionKind>();

function kindOf(tool: SourceTool): ActionKind {
  const type = upstreamTypeOf(tool);
  if (type !== undefined && UPSTREAM_TYPES[type]) return UPSTREAM_TYPES[type];
  const first = words(keyOf(tool))[0];
  const verb = first === undefined ? '' : stemWord(first);
  if (DESTRUCTIVE_VERBS.has(verb) || tool.definition.annotations?.destructiveHint === true) return 'destructive';
  if (READ_VERBS.has(verb) || tool.definition.annotations?.readOnlyHint === true) return 'read';
  return 'write';
}

const UPSTREAM_OPERATIONS = kinds.upstreamOperations as Record<string, string>;

/** The verb an action performs by its upstream action type (`list-data-records` → list), when it has one. */
export function upstreamOperationOf(tool: SourceTool): string | undefined {
  const type = upstreamTypeOf(tool);
  return type === undefined ? undefined : UPSTREAM_OPERATIONS[type];
}

/** The operation concepts that destroy: deleting and cancelling (with every word of their groups). */
const DESTROYING = new Set([...operationsOf(stemWord('delete')), ...operationsOf(stemWord('cancel'))]);

/**
 * Whether a request asks to destroy something: the verb it leads with, or one a clause of its own
 * (not the payload of a message or a title) leads with, deletes, cancels, voids, unsubscribes… A
 * word in any other place describes a thing ("include cancelled ones", "the deletion log"). A request
 * that does not may still find a destructive action, but never first. `appWords`: words of the
 * apps it names (not its verb).
 */
export function asksToDestroy(query: string, appWords?: ReadonlySet<string>): boolean {
  return destroysIn(analyzeQuery(query, appWords));
}

/** `asksToDestroy` of a request already analyzed. */
export function destroysIn({ verb, leads }: Pick<QueryAnalysis, 'verb' | 'leads'>): boolean {
  return [...(verb === undefined ? [] : [verb]), ...leads].some((stem) => DESTRUCTIVE_VERBS.has(stem) || operationsOf(stem).some((c) => DESTROYING.has(c)));
}
