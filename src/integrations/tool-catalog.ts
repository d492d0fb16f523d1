import { distance } from 'fastest-levenshtein';
import { UpstreamAction, UpstreamConnection } from './integration-app.gateway';
import { ArgumentsValidator, SchemaValidators, ValidationProblem } from '../tools/schema-validators';
import { annotationsFor, ToolAnnotations } from '../tools/tool-annotations';
import { assignToolNames } from '../tools/tool-naming';

export type JsonSchemaObject = { type: 'object'; properties: Record<string, unknown>; required?: string[]; [k: string]: unknown };

/** The MCP `Tool` shape we publish in `tools/list`. */
export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchemaObject;
  annotations: ToolAnnotations;
}

export interface CatalogConnection {
  id: string;
  name: string;
}

/** One tool = one action of one integration, runnable on one or more of the customer's connections. */
export interface ToolEntry {
  readonly name: string;
  readonly integrationKey: string;
  readonly integrationId: string;
  readonly integrationName: string;
  readonly actionKey: string;
  readonly connections: readonly CatalogConnection[];
  /** The action's schema was not an object: arguments arrive as `{ input }` and are unwrapped. */
  readonly wrapsInput: boolean;
  readonly definition: ToolDefinition;
}

export const CONNECTION_ID_ARG = 'connectionId';

export type { ValidationProblem } from '../tools/schema-validators';

/** Tool names are at most 64 characters: comparing more of a needle cannot find a closer one. */
const SUGGEST_MAX_NEEDLE = 64;
/** No suggestion is further than this from the needle (at most a quarter of its length, at least 2). */
const SUGGEST_MAX_DISTANCE = 12;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The action's JSON Schema kept whole, with `type: "object"` at the top (wrapping non-object
 * schemas). The schema comes from a freshly parsed upstream response that nothing else holds, so
 * only the top level is copied (a deep clone of every schema was the largest cost of building a
 * catalog); nested parts are shared with nothing and never mutated.
 */
function toObjectSchema(schema: unknown): { schema: JsonSchemaObject; wraps: boolean } {
  if (!isObject(schema) || Object.keys(schema).length === 0) return { schema: { type: 'object', properties: {} }, wraps: false };
  const type = schema.type;
  const isObjectSchema = type === 'object' || (type === undefined && (isObject(schema.properties) || schema.additionalProperties !== undefined));
  if (isObjectSchema) {
    const top: Record<string, unknown> = { ...schema, type: 'object' };
    if (!isObject(top.properties)) top.properties = {};
    if (top.required !== undefined && !Array.isArray(top.required)) delete top.required;
    return { schema: top as JsonSchemaObject, wraps: false };
  }
  // Local `#/definitions/…` and `#/$defs/…` references of the wrapped schema resolve against the new root.
  const wrapper: Record<string, unknown> = { type: 'object', properties: { input: schema }, required: ['input'] };
  if (isObject(schema.definitions)) wrapper.definitions = schema.definitions;
  if (isObject(schema.$defs)) wrapper.$defs = schema.$defs;
  return { schema: wrapper as JsonSchemaObject, wraps: true };
}

function withConnectionChoice(schema: JsonSchemaObject, connections: readonly CatalogConnection[]): JsonSchemaObject {
  const list = connections.map((c) => `${c.id} (${c.name})`).join(', ');
  return {
    ...schema,
    properties: {
      ...schema.properties,
      [CONNECTION_ID_ARG]: {
        type: 'string',
        enum: connections.map((c) => c.id),
        description: `Which connection to run this action on. Available: ${list}.`,
      },
    },
    required: [...(schema.required ?? []).filter((r) => r !== CONNECTION_ID_ARG), CONNECTION_ID_ARG],
  };
}

/**
 * The tools of one identity, built once per fetch and shared by every session of that identity.
 * Views (the `apps` filter) are memoized; argument validators are compiled on first use, at most one
 * per tool, and owned by the catalog: they are released with it when a refresh replaces it.
 */
export class ToolCatalog {
  readonly entries: readonly ToolEntry[];
  private readonly byName = new Map<string, ToolEntry>();
  private readonly byAlias = new Map<string, ToolEntry>();
  private readonly byIntegration = new Map<string, ToolEntry[]>();
  private readonly views = new Map<string, ToolDefinition[]>();
  private readonly serializedViews = new Map<string, string>();
  private readonly validators = new Map<string, ArgumentsValidator>();

  constructor(
    entries: ToolEntry[],
    private readonly schemaValidators: SchemaValidators,
    readonly builtAt: number = Date.now(),
    readonly partial = false,
  ) {
    this.entries = entries;
    for (const entry of entries) {
      this.byName.set(entry.name, entry);
      const list = this.byIntegration.get(entry.integrationKey) ?? [];
      list.push(entry);
      this.byIntegration.set(entry.integrationKey, list);
    }
    // Aliases are looked up only after exact names, so they can never shadow a real tool name.
    for (const entry of entries) {
      for (const alias of [`${entry.integrationKey}-${entry.actionKey}`, `${entry.integrationKey}_${entry.actionKey}`, entry.name]) {
        const key = alias.toLowerCase();
        if (!this.byAlias.has(key)) this.byAlias.set(key, entry);
      }
    }
  }

  get size(): number {
    return this.entries.length;
  }

  get(name: string): ToolEntry | undefined {
    return this.byName.get(name);
  }

  /** Exact name, then `<integrationKey>-<actionKey>` / `<integrationKey>_<actionKey>` (case-insensitive). */
  resolve(nameOrAlias: string): ToolEntry | undefined {
    return this.byName.get(nameOrAlias) ?? this.byAlias.get(nameOrAlias.toLowerCase());
  }

  integrationTools(integrationKey: string): readonly ToolEntry[] {
    return this.byIntegration.get(integrationKey) ?? this.byIntegration.get(integrationKey.toLowerCase()) ?? [];
  }


  /** Whether an entry is visible under an `apps` filter (null = every integration). */
  static inApps(entry: ToolEntry, apps: readonly string[] | null): boolean {
    return apps === null || apps.includes(entry.integrationKey);
  }

  /** Tool definitions for an `apps` filter, memoized per filter. */
  list(apps: readonly string[] | null): ToolDefinition[] {
    const key = apps === null ? '*' : [...apps].sort().join(',');
    let view = this.views.get(key);
    if (!view) {
      view = this.entries.filter((e) => ToolCatalog.inApps(e, apps)).map((e) => e.definition);
      if (this.views.size > 64) this.views.clear();
      this.views.set(key, view);
    }
    return view;
  }

  /**
   * `{"tools":[…]}` for an `apps` filter, serialized once per catalog version: a `tools/list` of
   * hundreds of tools is the largest response the server writes, and every session shares it.
   */
  listJson(apps: readonly string[] | null): string {
    const key = apps === null ? '*' : [...apps].sort().join(',');
    let json = this.serializedViews.get(key);
    if (json === undefined) {
      json = JSON.stringify({ tools: this.list(apps) });
      if (this.serializedViews.size > 64) this.serializedViews.clear();
      this.serializedViews.set(key, json);
    }
    return json;
  }

  /**
   * Validates arguments against the tool's input schema; returns the problems (empty when valid).
   * A schema that cannot be compiled refuses every call (fails closed).
   */
  validate(entry: ToolEntry, args: Record<string, unknown>): ValidationProblem[] {
    // Only this catalog's own entries are kept, so the map never outgrows the catalog.
    const own = this.byName.get(entry.name) === entry;
    let validate = own ? this.validators.get(entry.name) : undefined;
    if (!validate) {
      validate = this.schemaValidators.compile(entry.definition.inputSchema, `tool ${entry.name}`);
      if (own) this.validators.set(entry.name, validate);
    }
    return validate(args);
  }

  /**
   * Closest tool names to a miss, for "did you mean". Bounded whatever the input: the needle is cut
   * to the longest tool name, and only candidates whose length and characters could be within the
   * allowed distance are compared (by `fastest-levenshtein`); the spec checks that these prefilters
   * suggest what comparing every candidate does.
   */
  suggest(text: string, candidates: Iterable<string>, max = 3): string[] {
    const needle = text.slice(0, SUGGEST_MAX_NEEDLE).toLowerCase();
    const limit = Math.min(SUGGEST_MAX_DISTANCE, Math.max(2, Math.floor(needle.length / 4)));
    const needleChars = charCounts(needle);
    const closest: Scored[] = [];
    for (const name of candidates) {
      const lower = name.toLowerCase();
      const lengthDifference = lower.length - needle.length;
      let score: number;
      // A name containing the needle is only insertions away from it: a close match, however long.
      if (lower.includes(needle)) score = lengthDifference < 2 ? lengthDifference : 2;
      else if (lengthDifference > limit || -lengthDifference > limit) continue;
      else if (distanceLowerBound(needleChars, lower, lengthDifference) > limit) continue;
      else score = distance(needle, lower);
      if (score <= limit) keepClosest(closest, { name, score }, max);
    }
    const best = closest[0]?.score ?? 0;
    return closest.filter((s) => s.score <= best + 1).map((s) => s.name);
  }
}

interface Scored {
  name: string;
  score: number;
}

/** Keeps the `max` closest names, closest first, ties by name: no sort of every close candidate. */
function keepClosest(closest: Scored[], item: Scored, max: number): void {
  let i = closest.length;
  while (i > 0 && (item.score - closest[i - 1].score || item.name.localeCompare(closest[i - 1].name)) < 0) i--;
  if (i >= max) return;
  closest.splice(i, 0, item);
  if (closest.length > max) closest.pop();
}

/*
 * The per-character loops below avoid `Math.*` calls: they run for every candidate of every miss,
 * and those calls are not inlined everywhere (in Jest's sandbox they cost more than the whole loop).
 */

/** How often each character occurs (characters past ASCII share the last slot). */
function charCounts(text: string): Int32Array {
  const counts = new Int32Array(128);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    counts[code < 128 ? code : 127]++;
  }
  return counts;
}

/**
 * A cheap lower bound of the edit distance, so that most candidates of a garbage needle are dropped
 * without computing it: every character one string has in excess of the other must be deleted,
 * inserted or substituted, one edit each. `needleChars` is used as scratch and left as it was.
 */
function distanceLowerBound(needleChars: Int32Array, candidate: string, lengthDifference: number): number {
  let extra = 0;
  for (let i = 0; i < candidate.length; i++) {
    const code = candidate.charCodeAt(i);
    if (--needleChars[code < 128 ? code : 127] < 0) extra++;
  }
  for (let i = 0; i < candidate.length; i++) {
    const code = candidate.charCodeAt(i);
    needleChars[code < 128 ? code : 127]++;
  }
  // The candidate has `extra` characters the needle lacks; the needle has `extra - lengthDifference` the candidate lacks.
  return lengthDifference < 0 ? extra - lengthDifference : extra;
}

/**
 * Builds the catalog from upstream data: disconnected/archived connections and
 * deactivated/archived actions are skipped; one tool per (integration, action) however many
 * connections the customer has to that integration.
 */
export function buildToolCatalog(
  connections: readonly UpstreamConnection[],
  actionsByIntegrationId: ReadonlyMap<string, readonly UpstreamAction[]>,
  schemaValidators: SchemaValidators,
  partial = false,
): ToolCatalog {
  const live = connections.filter((c) => !c.disconnected && !c.archived && c.integrationKey);
  const byIntegration = new Map<string, { id: string; key: string; name: string; connections: CatalogConnection[] }>();
  for (const c of live) {
    const group = byIntegration.get(c.integrationKey) ?? { id: c.integrationId, key: c.integrationKey, name: c.integrationName, connections: [] };
    if (!group.connections.some((x) => x.id === c.id)) group.connections.push({ id: c.id, name: c.name });
    byIntegration.set(c.integrationKey, group);
  }

  const pending: Array<{ integration: { id: string; key: string; name: string; connections: CatalogConnection[] }; action: UpstreamAction }> = [];
  for (const integration of [...byIntegration.values()].sort((a, b) => a.key.localeCompare(b.key))) {
    const seen = new Set<string>();
    for (const action of actionsByIntegrationId.get(integration.id) ?? []) {
      if (action.deactivated || action.archived || seen.has(action.key)) continue;
      seen.add(action.key);
      pending.push({ integration, action });
    }
  }

  const names = assignToolNames(pending.map((p) => ({ integrationKey: p.integration.key, actionKey: p.action.key })));
  const entries: ToolEntry[] = pending.map(({ integration, action }, i) => {
    const title = `${integration.name || integration.key}: ${action.name}`;
    const { schema, wraps } = toObjectSchema(action.inputSchema);
    const inputSchema = integration.connections.length > 1 ? withConnectionChoice(schema, integration.connections) : schema;
    const description =
      action.description?.trim() ||
      `${action.name} in ${integration.name || integration.key} (Integration.app action "${action.key}").`;
    return {
      name: names[i],
      integrationKey: integration.key,
      integrationId: integration.id,
      integrationName: integration.name,
      actionKey: action.key,
      connections: integration.connections,
      wrapsInput: wraps,
      definition: { name: names[i], title, description, inputSchema, annotations: annotationsFor(title, action.key, action.name) },
    };
  });
  return new ToolCatalog(entries, schemaValidators, Date.now(), partial);
}
