import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { UpstreamAction, UpstreamConnection } from './integration-app.gateway';
import { annotationsFor, ToolAnnotations } from './tool-annotations';
import { assignToolNames } from './tool-naming';

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

export interface ValidationProblem {
  path: string;
  message: string;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, allowUnionTypes: true });
addFormats(ajv);

function describeAjvError(e: ErrorObject): ValidationProblem {
  const base = e.instancePath ? e.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { path: base ? `${base}.${missing}` : missing, message: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { path: base ? `${base}.${extra}` : extra, message: 'is not an allowed property' };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return { path: base || '(arguments)', message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  return { path: base || '(arguments)', message: e.message ?? 'is invalid' };
}

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
  return { schema: { type: 'object', properties: { input: schema }, required: ['input'] }, wraps: true };
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
 * Views (the `apps` filter) are memoized; argument validators are compiled on first use.
 */
export class ToolCatalog {
  readonly entries: readonly ToolEntry[];
  private readonly byName = new Map<string, ToolEntry>();
  private readonly byAlias = new Map<string, ToolEntry>();
  private readonly byIntegration = new Map<string, ToolEntry[]>();
  private readonly views = new Map<string, ToolDefinition[]>();
  private readonly serializedViews = new Map<string, string>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(entries: ToolEntry[], readonly builtAt: number = Date.now(), readonly partial = false) {
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

  /** Validates arguments against the tool's input schema; returns the problems (empty when valid). */
  validate(entry: ToolEntry, args: Record<string, unknown>): ValidationProblem[] {
    let validate = this.validators.get(entry.name);
    if (!validate) {
      try {
        validate = ajv.compile(entry.definition.inputSchema);
      } catch {
        // A schema Ajv cannot compile is still published whole; only the object shape is enforced.
        validate = ajv.compile({ type: 'object' });
      }
      this.validators.set(entry.name, validate);
    }
    if (validate(args)) return [];
    return (validate.errors ?? []).map(describeAjvError);
  }

  /** Closest tool names to a miss, for "did you mean". */
  suggest(text: string, candidates: Iterable<string>, max = 3): string[] {
    const needle = text.toLowerCase();
    const scored: Array<{ name: string; score: number }> = [];
    for (const name of candidates) {
      const lower = name.toLowerCase();
      const distance = levenshtein(needle, lower, 12);
      const contains = lower.includes(needle) ? 0 : 1;
      const score = contains === 0 ? Math.min(distance, 2) : distance;
      if (score <= Math.max(2, Math.floor(needle.length / 4))) scored.push({ name, score });
    }
    scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
    const best = scored[0]?.score ?? 0;
    return scored.filter((s) => s.score <= best + 1).slice(0, max).map((s) => s.name);
  }
}

function levenshtein(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > cap) return cap + 1;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Builds the catalog from upstream data: disconnected/archived connections and
 * deactivated/archived actions are skipped; one tool per (integration, action) however many
 * connections the customer has to that integration.
 */
export function buildToolCatalog(
  connections: readonly UpstreamConnection[],
  actionsByIntegrationId: ReadonlyMap<string, readonly UpstreamAction[]>,
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
  return new ToolCatalog(entries, Date.now(), partial);
}
