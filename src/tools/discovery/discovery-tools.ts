import { Injectable, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { ToolRegistry } from '../tool-registry';
import { errorResult, withStructuredOutput } from '../tool-results';
import { ModeToolSet, SourceTool, ToolCallContext, ToolView } from '../tool-source';
import { ActionSearch } from '../action-search.port';
import { isNotConnected, NotConnectedActions, NotConnectedTool } from '../not-connected-actions.port';
import { misplacedArgumentsResult, notConnectedResult, unknownActionResult } from './run-errors';
import { connectedFirst, widenedDepth } from './not-connected-ranking';

export const SEARCH_ACTIONS = 'search-actions';
export const DESCRIBE_ACTIONS = 'describe-actions';
export const RUN_READ_ACTION = 'run-read-action';
export const RUN_ACTION = 'run-action';

const DESCRIPTION_MAX = 200;
const MAX_DESCRIBE = 20;

function isReadOnly(tool: SourceTool): boolean {
  return tool.definition.annotations?.readOnlyHint === true;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function invalid(tool: string, field: string, message: string): CallToolResult {
  return errorResult(`Invalid arguments for ${tool}: "${field}" ${message}.`, { type: 'invalid_arguments', fields: [{ path: field, message }] });
}

const SEARCH_OUTPUT = {
  type: 'object',
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          tool: { type: 'string', description: "The action's tool name: pass it to describe-actions, run-read-action or run-action." },
          integration: { type: 'string', description: 'The app (integration key).' },
          title: { type: 'string' },
          description: { type: 'string' },
          readOnly: { type: 'boolean', description: 'true: only reads (run it with run-read-action); false: changes something (run-action).' },
          score: { type: 'number', description: 'Relevance, 1 for the best match.' },
          connected: {
            type: 'boolean',
            description: 'false: the app is not connected yet, so the action cannot run; connect it with connect-app (app = integration) first.',
          },
        },
        required: ['tool', 'integration', 'title', 'description', 'readOnly', 'score', 'connected'],
      },
    },
    total: { type: 'integer', description: 'How many actions matched (results holds the best `limit`).' },
  },
  required: ['results', 'total'],
} as const;

const DESCRIBE_OUTPUT = {
  type: 'object',
  properties: {
    tools: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          title: { type: 'string' },
          description: { type: 'string' },
          inputSchema: { type: 'object', description: 'JSON Schema of the arguments to pass as run-action\'s "arguments".' },
          outputSchema: { type: 'object' },
          annotations: { type: 'object' },
        },
        required: ['name', 'description', 'inputSchema'],
      },
    },
    unknown: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          suggestions: { type: 'array', items: { type: 'string' } },
          connectApp: { type: 'string', description: 'The action belongs to this app, not connected yet: connect it with connect-app first.' },
        },
        required: ['name', 'suggestions'],
      },
    },
  },
  required: ['tools', 'unknown'],
} as const;

/** What a run tool returns: the action's own structured result, or `{ output }` for outputs that are not objects. */
const RUN_OUTPUT = {
  type: 'object',
  additionalProperties: true,
  description: 'The action\'s output when it is an object; otherwise { "output": <the value> }.',
} as const;

const runInput = (which: string) =>
  ({
    type: 'object',
    properties: {
      tool: {
        type: 'string',
        minLength: 1,
        description: `The action's tool name, as search-actions returns it${which}.`,
        'x-mcp-header': 'Tool',
      },
      arguments: { type: 'object', description: "The action's arguments, matching the inputSchema describe-actions returns.", additionalProperties: true },
    },
    required: ['tool'],
    additionalProperties: false,
  }) as Tool['inputSchema'];

/** The application's `NotConnectedActions` (the connect feature's), found at start-up like tool sources. */
function findNotConnectedActions(discovery?: DiscoveryService): NotConnectedActions | undefined {
  return discovery?.getProviders().find((w) => w.instance instanceof NotConnectedActions)?.instance as NotConnectedActions | undefined;
}

/**
 * `search-actions` and `describe-actions`: find the caller's actions by what they do and read their
 * schemas, over a search index built once per view (shared by every session with that view) and
 * costing no upstream request. Listed in search mode and, beside `enable-tools`, in dynamic mode.
 * Where the connect feature applies, the search also ranks actions of apps the caller has not
 * connected (`connected: false`, below an equally good connected action: `connectedFirst`).
 */
@Injectable()
export class DiscoveryTools extends ModeToolSet implements OnApplicationBootstrap {
  readonly modes = ['search', 'dynamic'] as const;
  readonly names = [SEARCH_ACTIONS, DESCRIBE_ACTIONS];
  private readonly definitionsByView = new WeakMap<ToolView, readonly Tool[]>();

  private notConnected?: NotConnectedActions;

  /** The ranking (SPEC §17): the local ranker fused with the enabled providers; indexes shared and bounded across tenants. */
  constructor(
    private readonly actionSearch: ActionSearch,
    @Optional() private readonly discovery?: DiscoveryService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.notConnected = findNotConnectedActions(this.discovery);
  }

  definitions(view: ToolView): readonly Tool[] {
    let defs = this.definitionsByView.get(view);
    if (!defs) {
      const apps = view.apps.length ? ` Connected apps: ${view.apps.join(', ')}.` : ' The user has no connected apps yet.';
      defs = [
        {
          name: SEARCH_ACTIONS,
          title: 'Search actions',
          description:
            `Finds actions in the user's connected apps by what they do, best match first. Describe the task in plain words ` +
            `("send a message to the team channel", "find the deal with Acme"); name the app to search only its actions.${apps} ` +
            'Then call describe-actions for the arguments, and run-read-action (read-only actions) or run-action. ' +
            'A result with connected: false belongs to an app the user has not connected yet: offer to connect it with connect-app first.',
          inputSchema: {
            type: 'object',
            properties: {
              query: { type: 'string', minLength: 1, maxLength: 1000, description: 'What the action should do, in plain words.' },
              apps: { type: 'array', items: { type: 'string' }, maxItems: 50, description: 'Only these apps (integration keys).' },
              limit: { type: 'integer', minimum: 1, maximum: 50, default: 10, description: 'How many results (default 10).' },
            },
            required: ['query'],
            additionalProperties: false,
          },
          outputSchema: SEARCH_OUTPUT as unknown as Tool['outputSchema'],
          annotations: { title: 'Search actions', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
        },
        {
          name: DESCRIBE_ACTIONS,
          title: 'Describe actions',
          description:
            'Returns the full definition of actions found with search-actions: description, the JSON Schema of their arguments, ' +
            'and whether they only read. Call it before running an action whose arguments you do not know.',
          inputSchema: {
            type: 'object',
            properties: {
              tools: {
                type: 'array',
                items: { type: 'string', minLength: 1 },
                minItems: 1,
                maxItems: MAX_DESCRIBE,
                description: 'Tool names from search-actions.',
              },
            },
            required: ['tools'],
            additionalProperties: false,
          },
          outputSchema: DESCRIBE_OUTPUT as unknown as Tool['outputSchema'],
          annotations: { title: 'Describe actions', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
        },
      ];
      this.definitionsByView.set(view, defs);
    }
    return defs;
  }

  async call(ctx: ToolCallContext, name: string, args: Record<string, unknown>, view: ToolView): Promise<CallToolResult> {
    return name === SEARCH_ACTIONS ? this.searchActions(ctx, args, view) : this.describeActions(ctx, args, view);
  }

  private async searchActions(ctx: ToolCallContext, args: Record<string, unknown>, view: ToolView): Promise<CallToolResult> {
    const { query, apps, limit } = args;
    if (typeof query !== 'string' || !query.trim()) return invalid(SEARCH_ACTIONS, 'query', 'must be a non-empty string');
    if (query.length > 1000) return invalid(SEARCH_ACTIONS, 'query', 'must be at most 1000 characters');
    if (apps !== undefined && (!Array.isArray(apps) || apps.length > 50 || apps.some((a) => typeof a !== 'string'))) {
      return invalid(SEARCH_ACTIONS, 'apps', 'must be an array of at most 50 integration keys');
    }
    if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 50)) {
      return invalid(SEARCH_ACTIONS, 'limit', 'must be an integer from 1 to 50');
    }
    const wanted = (limit as number | undefined) ?? 10;
    // Actions of apps not connected yet are ranked together with the connected ones, then weighed down.
    const widened = this.notConnected ? await this.notConnected.widen(ctx, view) : undefined;
    const found = await this.actionSearch.search(ctx, widened ?? view, {
      query,
      apps: apps as string[] | undefined,
      limit: widened ? widenedDepth(wanted) : wanted,
    });
    const { total } = found;
    const hits = widened ? connectedFirst(query, found.hits, wanted) : found.hits;
    const results = hits.map(({ tool, score }) => ({
      tool: tool.definition.name,
      integration: tool.app ?? '',
      title: tool.definition.title ?? tool.definition.name,
      description: shorten(tool.definition.description ?? '', DESCRIPTION_MAX),
      readOnly: isReadOnly(tool),
      score,
      connected: !isNotConnected(tool),
    }));
    const text = results.length
      ? results
          .map(
            (r, i) =>
              `${i + 1}. ${r.tool} — ${r.title}${r.readOnly ? ' (read-only)' : ''}` +
              `${r.connected ? '' : ` (not connected: connect-app "${r.integration}" first)`}: ${r.description}`,
          )
          .join('\n')
      : `No action matches "${shorten(query, 100)}".${view.apps.length ? ` Connected apps: ${view.apps.join(', ')}.` : ''}`;
    return { content: [{ type: 'text', text }], structuredContent: { results, total } };
  }

  private async describeActions(ctx: ToolCallContext, args: Record<string, unknown>, view: ToolView): Promise<CallToolResult> {
    const names = args.tools;
    if (!Array.isArray(names) || names.length === 0 || names.length > MAX_DESCRIBE || names.some((n) => typeof n !== 'string' || !n.trim())) {
      return invalid(DESCRIBE_ACTIONS, 'tools', `must be an array of 1 to ${MAX_DESCRIBE} tool names`);
    }
    const tools: Array<Record<string, unknown>> = [];
    const unknown: Array<{ name: string; suggestions: string[]; connectApp?: string }> = [];
    const notConnected: NotConnectedTool[] = [];
    for (const raw of names as string[]) {
      const tool = view.resolve(raw.trim());
      if (!tool) {
        // An action of an app not connected yet: named as such (no schema: it cannot run until connected).
        const other = await this.notConnected?.find(ctx, view, raw.trim());
        if (other) notConnected.push(other);
        unknown.push({ name: raw.slice(0, 200), suggestions: other ? [] : view.suggest(raw), ...(other ? { connectApp: other.app } : {}) });
        continue;
      }
      const d = tool.definition;
      tools.push({
        name: d.name,
        ...(d.title ? { title: d.title } : {}),
        description: d.description ?? '',
        inputSchema: d.inputSchema,
        ...(d.outputSchema ? { outputSchema: d.outputSchema } : {}),
        ...(d.annotations ? { annotations: d.annotations } : {}),
      });
    }
    const outcome = { tools, unknown };
    const apps = [...new Map(notConnected.map((t) => [t.app, t])).values()];
    const hint = apps.length
      ? `\n${apps.map((t) => `${t.appName} is not connected: call connect-app with { "app": "${t.app}" } first`).join('; ')}; its actions can be described and run once it is.`
      : '';
    return {
      content: [{ type: 'text', text: JSON.stringify(outcome) + hint }],
      structuredContent: outcome,
      ...(tools.length ? {} : { isError: true }),
    };
  }
}

/**
 * `run-read-action` and `run-action` (search mode): run an action found with search-actions. The
 * call goes back into the registry as a static-mode call of that tool — the same validation,
 * connection choice, errors, limits, metrics and cancellation as calling it directly; a shared
 * path, not a copy. `run-read-action` refuses actions that are not read-only without running them.
 */
@Injectable()
export class RunTools extends ModeToolSet implements OnApplicationBootstrap {
  readonly modes = ['search'] as const;
  readonly names = [RUN_READ_ACTION, RUN_ACTION];
  private readonly definitionList: readonly Tool[] = [
    {
      name: RUN_READ_ACTION,
      title: 'Run read-only action',
      description:
        'Runs a read-only action (readOnly: true in search-actions) with its arguments and returns its result. ' +
        'It cannot change anything; for other actions use run-action.',
      inputSchema: runInput(' (a read-only one)'),
      outputSchema: RUN_OUTPUT as unknown as Tool['outputSchema'],
      annotations: { title: 'Run read-only action', readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    {
      name: RUN_ACTION,
      title: 'Run action',
      description:
        "Runs any action of the user's connected apps with its arguments and returns its result, exactly as calling the action itself would. " +
        'It may create, change, send or delete things in those apps: be sure it is what the user wants.',
      inputSchema: runInput(''),
      outputSchema: RUN_OUTPUT as unknown as Tool['outputSchema'],
      annotations: { title: 'Run action', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
  ];

  private notConnected?: NotConnectedActions;

  constructor(
    private readonly registry: ToolRegistry,
    @Optional() private readonly discovery?: DiscoveryService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.notConnected = findNotConnectedActions(this.discovery);
  }

  definitions(): readonly Tool[] {
    return this.definitionList;
  }

  async call(ctx: ToolCallContext, name: string, args: Record<string, unknown>, view: ToolView): Promise<CallToolResult> {
    const { tool, arguments: toolArgs } = args;
    if (typeof tool !== 'string' || !tool.trim()) return invalid(name, 'tool', 'must be a tool name from search-actions');
    if (toolArgs !== undefined && (typeof toolArgs !== 'object' || toolArgs === null || Array.isArray(toolArgs))) {
      return invalid(name, 'arguments', 'must be an object');
    }
    const misplaced = Object.keys(args).filter((k) => k !== 'tool' && k !== 'arguments');
    if (misplaced.length) return misplacedArgumentsResult(name, tool, misplaced);
    const target = view.resolve(tool);
    if (!target) {
      // Not runnable here; if it is an action of an app the user has not connected, say which app to connect.
      const other = await this.notConnected?.find(ctx, view, tool.trim());
      return other ? notConnectedResult(name, other) : unknownActionResult(name, tool, view);
    }
    if (name === RUN_READ_ACTION && !isReadOnly(target)) {
      return errorResult(`${target.definition.name} is not a read-only action: run it with ${RUN_ACTION} if that is what the user wants.`, {
        type: 'not_read_only',
        tool: target.definition.name,
      });
    }
    // The action itself, as a static-mode call: every rule of a direct call applies.
    return withStructuredOutput(await this.registry.call({ ...ctx, mode: 'static' }, target.definition.name, toolArgs as Record<string, unknown> | undefined));
  }
}
