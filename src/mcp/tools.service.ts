import { Inject, Injectable, Logger } from '@nestjs/common';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { integrationAppConfig, IntegrationAppConfig } from '../config/app.config';
import { JsonRpcErrorCode, RpcError } from '../common/json-rpc';
import { DomainError } from '../common/domain.errors';
import { CatalogService } from '../integrations/catalog.service';
import { IntegrationAppGateway } from '../integrations/integration-app.gateway';
import { CONNECTION_ID_ARG, ToolCatalog, ToolEntry } from '../integrations/tool-catalog';
import { UpstreamError } from '../integrations/upstream.error';
import { TenantLimits } from '../limits/tenant-limits';
import { SessionsService } from '../sessions/sessions.service';
import { sessionLogRef } from '../common/logging/session-log-ref';
import type { SessionRecord } from '../sessions/session.types';
import { errorResult, invalidArgumentsResult, successResult, upstreamFailureResult } from '../tools/tool-results';
import { ToolCallObserver } from '../tools/tool-call.observer';

export const ENABLE_TOOLS = 'enable-tools';
/** Names `enable-tools` accepts per call. */
export const ENABLE_TOOLS_MAX_NAMES = 500;
/** Unknown names of one `enable-tools` call that get "did you mean" suggestions (bounded work per request). */
const SUGGESTED_UNKNOWN_NAMES = 10;

export interface ToolCallContext {
  session: SessionRecord;
  signal?: AbortSignal;
  /** Sends a notification on the request's own response stream. */
  notify?: (method: string) => Promise<void>;
  /** Sends a notification to the session's standalone streams (GET /mcp, SSE), on any replica. */
  broadcast?: (method: string) => Promise<void>;
}

export interface EnableToolsOutcome {
  [key: string]: unknown;
  enabled: string[];
  alreadyEnabled: string[];
  unknown: Array<{ name: string; suggestions: string[] }>;
  enabledTools: string[];
}

/** What an MCP session sees and runs: `tools/list` and `tools/call`, read from the shared catalog. */
@Injectable()
export class ToolsService {
  private readonly logger = new Logger(ToolsService.name);
  private readonly enableToolsDefinitions = new WeakMap<ToolCatalog, Map<string, Tool>>();

  constructor(
    private readonly catalogs: CatalogService,
    private readonly gateway: IntegrationAppGateway,
    private readonly sessions: SessionsService,
    private readonly observer: ToolCallObserver,
    private readonly limits: TenantLimits,
    @Inject(integrationAppConfig.KEY) private readonly config: IntegrationAppConfig,
  ) {}

  private async catalog(session: SessionRecord): Promise<ToolCatalog> {
    try {
      return await this.catalogs.get(session.identityKey, session.token);
    } catch (err) {
      if (err instanceof UpstreamError && (err.kind === 'unauthorized' || err.kind === 'forbidden')) {
        throw new RpcError(JsonRpcErrorCode.Unauthorized, 'Integration.app rejected the access token; get a fresh token and reconnect.', undefined, { cause: err });
      }
      if (err instanceof DomainError) {
        throw new RpcError(JsonRpcErrorCode.UpstreamUnavailable, `Integration.app is unavailable: ${err.message}`, undefined, { cause: err });
      }
      throw err;
    }
  }

  /** Warms the identity's catalog (e.g. right after initialize) without failing the caller. */
  prefetch(session: SessionRecord): void {
    this.catalogs.get(session.identityKey, session.token).catch((err: Error) => this.logger.debug(`Catalog prefetch failed: ${err.message}`));
  }

  private enableToolsDefinition(catalog: ToolCatalog, apps: string[] | null): Tool {
    let perApps = this.enableToolsDefinitions.get(catalog);
    if (!perApps) {
      perApps = new Map();
      this.enableToolsDefinitions.set(catalog, perApps);
    }
    const key = apps === null ? '*' : [...apps].sort().join(',');
    let def = perApps.get(key);
    if (!def) {
      const integrations = [...new Set(catalog.entries.filter((e) => ToolCatalog.inApps(e, apps)).map((e) => e.integrationKey))];
      def = {
        name: ENABLE_TOOLS,
        title: 'Enable tools',
        description:
          'Enables tools for this session so they can be called. Pass the tools you need: tool names ' +
          '("<integrationKey>_<actionKey>"), the "<integrationKey>-<actionKey>" form, or a bare integration key to ' +
          'enable all of its actions. Repeated calls add to what is enabled. ' +
          (integrations.length ? `Connected integrations: ${integrations.join(', ')}.` : 'The user has no connected integrations yet.'),
        inputSchema: {
          type: 'object',
          properties: {
            tools: {
              type: 'array',
              items: { type: 'string', minLength: 1 },
              minItems: 1,
              maxItems: ENABLE_TOOLS_MAX_NAMES,
              description: 'Tool names, "<integrationKey>-<actionKey>" names, or integration keys.',
            },
          },
          required: ['tools'],
          additionalProperties: false,
        },
        annotations: { title: 'Enable tools', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      };
      perApps.set(key, def);
    }
    return def;
  }

  async list(session: SessionRecord): Promise<{ tools: Tool[] }> {
    const catalog = await this.catalog(session);
    if (session.mode === 'static') return { tools: catalog.list(session.apps) as Tool[] };
    const tools: Tool[] = [this.enableToolsDefinition(catalog, session.apps)];
    for (const name of session.enabledTools) {
      const entry = catalog.get(name);
      if (entry && ToolCatalog.inApps(entry, session.apps)) tools.push(entry.definition as Tool);
    }
    return { tools };
  }

  /**
   * The serialized `tools/list` result of a static-mode session (shared by every session of the
   * identity), or undefined when the session's list is built per session (dynamic mode).
   */
  async listJson(session: SessionRecord): Promise<string | undefined> {
    if (session.mode !== 'static') return undefined;
    return (await this.catalog(session)).listJson(session.apps);
  }

  async call(ctx: ToolCallContext, name: string, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    const session = ctx.session;
    const catalog = await this.catalog(session);
    if (session.mode === 'dynamic' && name === ENABLE_TOOLS) return this.enableTools(ctx, catalog, args);

    const entry = catalog.get(name);
    const visible =
      entry !== undefined &&
      ToolCatalog.inApps(entry, session.apps) &&
      (session.mode === 'static' || session.enabledTools.includes(entry.name));
    if (!entry || !visible) {
      if (entry && session.mode === 'dynamic' && ToolCatalog.inApps(entry, session.apps)) {
        throw new RpcError(JsonRpcErrorCode.InvalidParams, `Tool "${name}" is not enabled in this session; call ${ENABLE_TOOLS} with ["${name}"] first.`);
      }
      const candidates = catalog.entries.filter((e) => ToolCatalog.inApps(e, session.apps)).map((e) => e.name);
      const suggestions = catalog.suggest(name, candidates);
      const hint = suggestions.length ? ` Did you mean: ${suggestions.join(', ')}?` : '';
      throw new RpcError(JsonRpcErrorCode.InvalidParams, `Unknown tool: "${String(name).slice(0, 200)}".${hint}`);
    }
    return this.run(ctx, catalog, entry, args ?? {});
  }

  private async run(ctx: ToolCallContext, catalog: ToolCatalog, entry: ToolEntry, args: Record<string, unknown>): Promise<CallToolResult> {
    const problems = catalog.validate(entry, args);
    if (problems.length) {
      this.observer.record(entry.integrationKey, 'invalid_arguments', 0);
      return invalidArgumentsResult(entry.name, problems);
    }
    let input: Record<string, unknown> | unknown = args;
    let connectionId: string;
    if (entry.connections.length > 1) {
      connectionId = String(args[CONNECTION_ID_ARG]);
      // Checked here too, whatever the schema validation did: only the customer's own connections.
      if (!entry.connections.some((c) => c.id === connectionId)) {
        this.observer.record(entry.integrationKey, 'invalid_arguments', 0);
        return invalidArgumentsResult(entry.name, [
          { path: CONNECTION_ID_ARG, message: `must be one of ${entry.connections.map((c) => JSON.stringify(c.id)).join(', ')}` },
        ]);
      }
      const { [CONNECTION_ID_ARG]: _omit, ...rest } = args;
      void _omit;
      input = rest;
    } else {
      connectionId = entry.connections[0].id;
    }
    if (entry.wrapsInput) input = (input as Record<string, unknown>).input;

    // One identity cannot occupy the upstream with unbounded parallel calls (batches, many sessions).
    const release = this.limits.tryAcquireUpstreamCall(ctx.session.identityKey);
    if (!release) {
      this.observer.record(entry.integrationKey, 'rate_limited', 0);
      const limit = this.limits.maxConcurrentCalls;
      return errorResult(
        `Too many tool calls are running at once for this user (limit ${limit}, MAX_CONCURRENT_CALLS_PER_IDENTITY); ` +
          'wait for one to finish, then call again.',
        { type: 'rate_limited', limit, retryAfterSeconds: 1 },
      );
    }
    const started = performance.now();
    try {
      const output = await this.gateway.runAction(ctx.session.token, connectionId, entry.actionKey, input, {
        timeoutMs: this.config.actionTimeoutMs,
        signal: ctx.signal,
      });
      this.observer.record(entry.integrationKey, 'success', performance.now() - started);
      return successResult(output);
    } catch (err) {
      if (ctx.signal?.aborted) {
        // Cancelled by the client (notifications/cancelled) or its connection closed: nobody
        // waits for a result, and the SDK sends none for an aborted request.
        this.observer.record(entry.integrationKey, 'cancelled', performance.now() - started);
        throw err;
      }
      if (!(err instanceof UpstreamError)) throw err;
      this.observer.record(entry.integrationKey, err.kind, performance.now() - started);
      if (err.kind === 'not_found') this.catalogs.invalidate(ctx.session.identityKey);
      this.logger.warn(`Tool ${entry.name} failed upstream in session ${sessionLogRef(ctx.session)}: ${err.kind}${err.upstreamStatus ? ` (HTTP ${err.upstreamStatus})` : ''}`);
      return upstreamFailureResult(entry, connectionId, err, this.config.actionTimeoutMs);
    } finally {
      release();
    }
  }

  /**
   * Dynamic mode: resolves names against the catalog (exact names, `<integrationKey>-<actionKey>`,
   * bare integration keys), adds them to the session atomically and announces the change.
   */
  private async enableTools(ctx: ToolCallContext, catalog: ToolCatalog, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    const requested = args?.tools;
    if (!Array.isArray(requested) || requested.length === 0 || requested.some((t) => typeof t !== 'string' || !t.trim())) {
      return errorResult('Invalid arguments for enable-tools: "tools" must be a non-empty array of tool names or integration keys.', {
        type: 'invalid_arguments',
        fields: [{ path: 'tools', message: 'must be a non-empty array of strings' }],
      });
    }
    const apps = ctx.session.apps;
    const visible = catalog.entries.filter((e) => ToolCatalog.inApps(e, apps));
    const resolved = new Set<string>();
    const unknown: EnableToolsOutcome['unknown'] = [];
    if (requested.length > ENABLE_TOOLS_MAX_NAMES) {
      return errorResult(`Invalid arguments for enable-tools: at most ${ENABLE_TOOLS_MAX_NAMES} names per call.`, {
        type: 'invalid_arguments',
        fields: [{ path: 'tools', message: `must hold at most ${ENABLE_TOOLS_MAX_NAMES} names` }],
      });
    }
    let candidates: string[] | undefined;
    for (const raw of requested as string[]) {
      const text = raw.trim();
      const entry = catalog.resolve(text);
      if (entry && ToolCatalog.inApps(entry, apps)) {
        resolved.add(entry.name);
        continue;
      }
      const byIntegration = catalog.integrationTools(text).filter((e) => ToolCatalog.inApps(e, apps));
      if (byIntegration.length) {
        byIntegration.forEach((e) => resolved.add(e.name));
        continue;
      }
      // Suggestions for the first few unknown names only: each one compares against every tool name.
      let suggestions: string[] = [];
      if (unknown.length < SUGGESTED_UNKNOWN_NAMES) {
        candidates ??= [...visible.map((e) => e.name), ...new Set(visible.map((e) => e.integrationKey))];
        suggestions = catalog.suggest(text, candidates);
      }
      unknown.push({ name: text.slice(0, 200), suggestions });
    }
    const before = new Set(ctx.session.enabledTools);
    const all = resolved.size ? await this.sessions.enableTools(ctx.session.id, [...resolved]) : [...before];
    ctx.session.enabledTools = all;
    const enabled = [...resolved].filter((n) => !before.has(n));
    const outcome: EnableToolsOutcome = {
      enabled,
      alreadyEnabled: [...resolved].filter((n) => before.has(n)),
      unknown,
      enabledTools: all,
    };
    if (enabled.length) {
      await Promise.all([ctx.notify?.('notifications/tools/list_changed'), ctx.broadcast?.('notifications/tools/list_changed')].map((p) => p?.catch(() => undefined)));
    }
    const parts: string[] = [];
    if (enabled.length) parts.push(`Enabled ${enabled.length} tool(s): ${enabled.join(', ')}.`);
    if (outcome.alreadyEnabled.length) parts.push(`Already enabled: ${outcome.alreadyEnabled.join(', ')}.`);
    if (unknown.length) {
      parts.push(
        `Unknown: ${unknown.map((u) => (u.suggestions.length ? `${u.name} (did you mean ${u.suggestions.join(', ')}?)` : u.name)).join('; ')}.`,
      );
    }
    if (!resolved.size) parts.push('No tools were enabled.');
    else parts.push('Enabled tools can be called right away.');
    return { content: [{ type: 'text', text: parts.join(' ') }], structuredContent: outcome, isError: resolved.size === 0 };
  }
}
