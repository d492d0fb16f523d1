import { UpstreamAction, UpstreamConnection } from './integration-app.gateway';
import { ArgumentsValidator, SchemaValidators, ValidationProblem } from '../tools/schema-validators';
import { annotationsFor, ToolAnnotations } from './tool-annotations';
import { assignToolNames } from './tool-naming';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { SourceTool } from '../tools/tool-source';
import type { NotConnectedTool } from '../tools/not-connected-actions.port';

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
  /** Integration.app's action type, when it gives one. */
  readonly actionType?: string;
  readonly definition: ToolDefinition;
}

/** An action as a tool of the actions tool source: the listed tool plus what running it needs. */
export interface ActionTool extends SourceTool {
  readonly app: string;
  readonly entry: ToolEntry;
  /** The catalog the tool was listed from (validators live there). */
  readonly catalog: ToolCatalog;
}

export const CONNECTION_ID_ARG = 'connectionId';

export type { ValidationProblem } from '../tools/schema-validators';

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
 * Argument validators are compiled on first use, at most one per tool, and owned by the catalog: they are released with it when a refresh replaces it.
 */
export class ToolCatalog {
  readonly entries: readonly ToolEntry[];
  /** The entries as the actions tool source offers them (same array for the catalog's lifetime). */
  readonly tools: readonly ActionTool[];
  private readonly byName = new Map<string, ToolEntry>();
  private readonly validators = new Map<string, ArgumentsValidator>();

  constructor(
    entries: ToolEntry[],
    private readonly schemaValidators: SchemaValidators,
    readonly builtAt: number = Date.now(),
    readonly partial = false,
  ) {
    this.entries = entries;
    for (const entry of entries) this.byName.set(entry.name, entry);
    this.tools = entries.map((entry) => ({
      definition: entry.definition as Tool,
      app: entry.integrationKey,
      aliases: [`${entry.integrationKey}-${entry.actionKey}`, `${entry.integrationKey}_${entry.actionKey}`],
      entry,
      catalog: this,
      ...(entry.actionType !== undefined ? { actionType: entry.actionType } : {}),
    }));
  }

  get size(): number {
    return this.entries.length;
  }

  get(name: string): ToolEntry | undefined {
    return this.byName.get(name);
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
    const description = action.description?.trim() || `${action.name} in ${integration.name || integration.key} (Integration.app action "${action.key}").`;
    return {
      name: names[i],
      integrationKey: integration.key,
      integrationId: integration.id,
      integrationName: integration.name,
      actionKey: action.key,
      connections: integration.connections,
      wrapsInput: wraps,
      ...(action.type !== undefined ? { actionType: action.type } : {}),
      definition: { name: names[i], title, description, inputSchema, annotations: annotationsFor(title, action.key, action.name, action.type) },
    };
  });
  return new ToolCatalog(entries, schemaValidators, Date.now(), partial);
}

/** Characters of a not-connected action's description kept for search (SPEC §12 shows at most 200). */
const PREVIEW_DESCRIPTION_MAX = 300;
/** Input field names of a not-connected action kept for search. */
const PREVIEW_FIELDS_MAX = 30;

/**
 * Actions of apps the customer has not connected, as `search-actions` ranks them (SPEC §16): the
 * name each gets once the app is connected (the same naming as a catalog), title, a shortened
 * description, annotations from the same rules, and only the input field names (no schema: they
 * cannot run nor be described until connected, and a search index reads no more). Deactivated and
 * archived actions are skipped; at most `maxActions` in all, apps in the order given.
 */
export function buildNotConnectedTools(
  integrations: ReadonlyArray<{ id: string; key: string; name: string }>,
  actionsByIntegrationId: ReadonlyMap<string, readonly UpstreamAction[]>,
  maxActions: number,
): NotConnectedTool[] {
  const pending: Array<{ integration: { id: string; key: string; name: string }; action: UpstreamAction }> = [];
  for (const integration of integrations) {
    const seen = new Set<string>();
    for (const action of actionsByIntegrationId.get(integration.id) ?? []) {
      if (pending.length >= maxActions) break;
      if (action.deactivated || action.archived || seen.has(action.key)) continue;
      seen.add(action.key);
      pending.push({ integration, action });
    }
  }
  const names = assignToolNames(pending.map((p) => ({ integrationKey: p.integration.key, actionKey: p.action.key })));
  return pending.map(({ integration, action }, i) => {
    const appName = integration.name || integration.key;
    const title = `${appName}: ${action.name}`;
    const description = (action.description?.trim() || `${action.name} in ${appName} (Integration.app action "${action.key}").`).slice(
      0,
      PREVIEW_DESCRIPTION_MAX,
    );
    const { schema } = toObjectSchema(action.inputSchema);
    const fields = Object.keys(schema.properties).slice(0, PREVIEW_FIELDS_MAX);
    const inputSchema: JsonSchemaObject = { type: 'object', properties: Object.fromEntries(fields.map((f) => [f.slice(0, 64), {}])) };
    return {
      definition: { name: names[i], title, description, inputSchema, annotations: annotationsFor(title, action.key, action.name, action.type) } as Tool,
      app: integration.key,
      appName,
      aliases: [`${integration.key}-${action.key}`, `${integration.key}_${action.key}`],
      notConnected: true as const,
      ...(action.type !== undefined ? { actionType: action.type } : {}),
    };
  });
}
