import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { HmacSha256 } from '../common/hmac-sha256';
import { JsonRpcErrorCode, RpcError } from '../common/json-rpc';
import { ROOT_LOGGER } from '../common/logging/logging.module';
import { stdoutDestination } from '../common/logging/log-destination';
import { appConfig, AppConfig } from '../config/app.config';
import pino, { Logger as PinoLogger } from 'pino';
import { allows, narrow, normalizePolicy, OPEN_POLICY, policyKey, policyNamesOf, ToolPolicy } from './policy';
import { TraceIds } from './trace-ids';
import { TenantLimits } from '../limits/tenant-limits';
import { suggestNames } from './suggest-names';
import { ToolCallObserver } from './tool-call.observer';
import { ToolCallRunner } from './tool-call-runner';
import { errorResult } from './tool-results';
import { CallStream, ModeToolSet, SourceTool, ToolCallContext, ToolContext, ToolMode, ToolSource, ToolView } from './tool-source';

interface Owned {
  readonly tool: SourceTool;
  readonly source: ToolSource;
}

/** The caller's tools under an `apps` filter (enabled or not): what mode tools work on. */
class AppsView implements ToolView {
  readonly tools: readonly SourceTool[];
  readonly apps: readonly string[];
  private readonly byName = new Map<string, Owned>();
  private readonly byAlias = new Map<string, Owned>();
  private readonly byApp = new Map<string, SourceTool[]>();
  /** Serialized `tools/list` answers of this view, per mode. */
  readonly json = new Map<string, string>();
  /** Listed definitions of this view, per mode. */
  readonly definitions = new Map<string, readonly Tool[]>();

  constructor(owned: readonly Owned[]) {
    const tools: SourceTool[] = [];
    for (const o of owned) {
      tools.push(o.tool);
      this.byName.set(o.tool.definition.name, o);
      if (o.tool.app !== undefined) {
        const key = o.tool.app.toLowerCase();
        const list = this.byApp.get(key) ?? [];
        list.push(o.tool);
        this.byApp.set(key, list);
      }
    }
    // Aliases are looked up only after exact names, so they can never shadow a real tool name.
    for (const o of owned) {
      for (const alias of [o.tool.definition.name, ...(o.tool.aliases ?? [])]) {
        const key = alias.toLowerCase();
        if (!this.byAlias.has(key)) this.byAlias.set(key, o);
      }
    }
    this.tools = tools;
    this.apps = [...new Set(owned.map((o) => o.tool.app).filter((a): a is string => a !== undefined))].sort();
  }

  owned(name: string): Owned | undefined {
    return this.byName.get(name);
  }

  resolve(nameOrAlias: string): SourceTool | undefined {
    return (this.byName.get(nameOrAlias) ?? this.byAlias.get(nameOrAlias.toLowerCase()))?.tool;
  }

  appTools(app: string): readonly SourceTool[] {
    return this.byApp.get(app.toLowerCase()) ?? [];
  }

  suggest(text: string): string[] {
    return suggestNames(text, [...this.tools.map((t) => t.definition.name), ...this.apps]);
  }
}

/** Every source's tools for one set of source answers, deduplicated; views by `apps` memoized. */
class MergedTools {
  readonly all: readonly Owned[];
  private readonly views = new Map<string, AppsView>();
  private names?: Set<string>;

  constructor(
    parts: ReadonlyArray<{ source: ToolSource; tools: readonly SourceTool[] }>,
    onCollision: (name: string, kept: ToolSource, dropped: ToolSource) => void,
  ) {
    const seen = new Map<string, ToolSource>();
    const all: Owned[] = [];
    for (const { source, tools } of parts) {
      for (const tool of tools) {
        const name = tool.definition.name;
        const owner = seen.get(name);
        if (owner) {
          onCollision(name, owner, source);
          continue;
        }
        seen.set(name, source);
        all.push({ tool, source });
      }
    }
    this.all = all;
  }

  /** Whether any source offers a tool of this name, whatever the view (built on the first refused call). */
  offers(name: string): boolean {
    this.names ??= new Set(this.all.map((o) => o.tool.definition.name));
    return this.names.has(name);
  }

  view(apps: readonly string[] | null, policy: ToolPolicy): AppsView {
    const key = `${apps === null ? '*' : [...apps].sort().join(',')}#${policyKey(policy)}`;
    let view = this.views.get(key);
    if (!view) {
      const inApps = (o: Owned) => apps === null || (o.tool.app !== undefined && apps.includes(o.tool.app));
      view = new AppsView(this.all.filter((o) => inApps(o) && allows(policy, o.tool)));
      // Bounded: `apps` and the policy are the caller's choice.
      if (this.views.size >= 64) this.views.clear();
      this.views.set(key, view);
    }
    return view;
  }
}

/**
 * Caches per tuple of arrays (one per source), held weakly: a merged view lives as long as the
 * arrays its sources returned (a catalog dropped from its cache takes its views with it).
 */
class TupleCache<V> {
  private readonly root = new WeakMap<object, unknown>();

  get(keys: readonly object[], make: () => V): V {
    let map = this.root as WeakMap<object, unknown>;
    for (let i = 0; i < keys.length - 1; i++) {
      let next = map.get(keys[i]) as WeakMap<object, unknown> | undefined;
      if (!next) {
        next = new WeakMap();
        map.set(keys[i], next);
      }
      map = next;
    }
    const last = keys[keys.length - 1];
    let value = map.get(last) as V | undefined;
    if (value === undefined) {
      value = make();
      map.set(last, value);
    }
    return value;
  }
}

const NO_TOOLS: readonly SourceTool[] = Object.freeze([]);

/**
 * Every tool the server offers, from every `ToolSource` and `ModeToolSet` provider in the
 * application (found at start-up, however many modules provide them). `tools/list`, `tools/call`
 * and dynamic mode read only from here. The caller's view — mode, `apps`, enabled tools — is
 * applied here, once, for every source; so are the per-tenant limit on concurrent calls and the
 * call metrics.
 */
@Injectable()
export class ToolRegistry implements OnApplicationBootstrap {
  private readonly logger = new Logger(ToolRegistry.name);
  private sources: ToolSource[] = [];
  private modeTools: ModeToolSet[] = [];
  private runner?: ToolCallRunner;
  /** What each tool's calls send on their request's stream (from the `callStreams` of mode tools and sources). */
  private readonly callStreams = new Map<string, CallStream>();
  private readonly merged = new TupleCache<MergedTools>();
  private readonly reportedCollisions = new Set<string>();

  private readonly ceiling: ToolPolicy;
  private readonly audit?: PinoLogger;
  /** The audit line's `argumentsHmac`, keyed with AUDIT_HASH_KEY, else random per process (the key's pads hashed once: common/hmac-sha256.ts). */
  private readonly auditHash: HmacSha256;
  /** Operator entries (TOOLS_ALLOW / TOOLS_DENY) not yet checked against a catalog: see `checkCeiling`. */
  private readonly uncheckedCeiling = new Map<string, 'TOOLS_ALLOW' | 'TOOLS_DENY'>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly limits: TenantLimits,
    private readonly observer: ToolCallObserver,
    @Inject(appConfig.KEY) config: AppConfig,
    @Inject(ROOT_LOGGER) root: PinoLogger,
    @Optional() private readonly traceIds?: TraceIds,
  ) {
    this.auditHash = new HmacSha256(config.auditHashKey ? Buffer.from(config.auditHashKey, 'utf8') : randomBytes(32));
    this.ceiling = normalizePolicy(config.toolPolicy ?? OPEN_POLICY);
    for (const list of this.ceiling.allow) for (const entry of list) this.uncheckedCeiling.set(entry, 'TOOLS_ALLOW');
    for (const entry of this.ceiling.deny) this.uncheckedCeiling.set(entry, 'TOOLS_DENY');
    // Its own logger on the root's destination: written with AUDIT_LOG on, whatever LOG_LEVEL says,
    // and without the root's redaction paths (an audit line holds no secret by construction; the
    // redaction pass was most of the line's cost on the tools/call path). The destination writes
    // gathered lines together (see gatheringDestination).
    if (config.auditLog !== false) {
      const destination = (root as unknown as Record<symbol, pino.DestinationStream | undefined>)[pino.symbols.streamSym];
      this.audit = pino({ level: 'info', base: { logger: 'audit' } }, destination ?? stdoutDestination(config.logFlushMs));
    }
  }

  /** The caller's policy under the operator's ceiling (requests only narrow). */
  private policyOf(ctx: ToolContext): ToolPolicy {
    return ctx.policy ? narrow(this.ceiling, ctx.policy) : this.ceiling;
  }

  /** Finds the sources and mode tools; refuses to start when two of them claim one tool name. */
  onApplicationBootstrap(): void {
    const instances = new Set<unknown>();
    for (const wrapper of this.discovery.getProviders()) {
      if (wrapper.instance && typeof wrapper.instance === 'object') instances.add(wrapper.instance);
    }
    const sources = [...instances].filter((i): i is ToolSource => i instanceof ToolSource);
    this.modeTools = [...instances].filter((i): i is ModeToolSet => i instanceof ModeToolSet);
    this.runner = [...instances].find((i): i is ToolCallRunner => i instanceof ToolCallRunner);
    // Sources with fixed names first: a caller-dependent name never shadows a reserved one.
    this.sources = [...sources.filter((s) => s.reservedNames().length > 0), ...sources.filter((s) => s.reservedNames().length === 0)];
    const owners = new Map<string, string>();
    const claim = (name: string, owner: string) => {
      const previous = owners.get(name);
      if (previous !== undefined) {
        throw new Error(`Tool name "${name}" is offered by both ${previous} and ${owner}: rename one of them (tool names must be unique).`);
      }
      owners.set(name, owner);
    };
    for (const m of this.modeTools) for (const name of m.names) claim(name, `mode tools ${m.constructor.name}`);
    const declared = new Map<string, string>();
    const declare = (owner: string, streams: Readonly<Record<string, CallStream>> | undefined) => {
      for (const [name, stream] of Object.entries(streams ?? {})) {
        const previous = this.callStreams.get(name);
        if (previous !== undefined && previous !== stream) {
          throw new Error(
            `Tool "${name}": ${declared.get(name)} says its calls ${previous} on their stream, ${owner} that they ${stream}: one tool, one declaration.`,
          );
        }
        this.callStreams.set(name, stream);
        declared.set(name, owner);
      }
    };
    for (const m of this.modeTools) declare(`mode tools ${m.constructor.name}`, m.callStreams);
    for (const s of this.sources) declare(`tool source "${s.sourceName}"`, s.callStreams);
    for (const s of this.sources) for (const name of s.reservedNames()) claim(name, `tool source "${s.sourceName}"`);
    this.logger.debug(
      `Tool sources: ${this.sources.map((s) => s.sourceName).join(', ') || 'none'}; mode tools: ${this.modeTools.map((m) => m.names.join('/')).join(', ') || 'none'}`,
    );
  }

  private async mergedFor(ctx: ToolContext): Promise<MergedTools> {
    const answers = await Promise.all(this.sources.map((s) => s.list(ctx)));
    const keys = answers.map((a) => (a.length === 0 ? NO_TOOLS : a));
    if (keys.length === 0) keys.push(NO_TOOLS);
    return this.merged.get(keys, () => {
      const merged = new MergedTools(
        this.sources.map((source, i) => ({ source, tools: answers[i] })),
        (name, kept, dropped) => {
          const key = `${name}\u0000${dropped.sourceName}`;
          if (this.reportedCollisions.has(key)) return;
          if (this.reportedCollisions.size < 1000) this.reportedCollisions.add(key);
          this.logger.warn(`Tool "${name}" of source "${dropped.sourceName}" is hidden: "${kept.sourceName}" offers a tool of that name.`);
        },
      );
      this.checkCeiling(merged, ctx);
      return merged;
    });
  }

  /**
   * Warns once about each operator entry (TOOLS_ALLOW / TOOLS_DENY) that matches no tool name,
   * alias or integration key of the first non-empty catalog loaded — the first moment the server
   * knows any catalog (tools are per customer, so there is none at start-up). A typo in a deny list
   * would otherwise deny nothing, silently. Each entry is checked once per process.
   */
  private checkCeiling(merged: MergedTools, ctx: ToolContext): void {
    if (this.uncheckedCeiling.size === 0 || merged.all.length === 0) return;
    const names = new Set<string>();
    for (const o of merged.all) for (const n of policyNamesOf(o.tool)) names.add(n);
    for (const [entry, variable] of this.uncheckedCeiling) {
      if (!names.has(entry)) {
        this.logger.warn(
          `${variable} entry "${entry}" matches no tool, alias or integration key of the first catalog loaded ` +
            `(identity ${ctx.identity.key.slice(0, 12)}, ${merged.all.length} tools): it has no effect there. ` +
            'Entries are tool names (gmail_send-email), <integrationKey>-<actionKey> (gmail-send-email) or integration keys (gmail), in any case.',
        );
      }
    }
    this.uncheckedCeiling.clear();
  }

  /** What mode tools see: the caller's tools under its `apps`, enabled or not. */
  async view(ctx: ToolContext): Promise<ToolView> {
    return (await this.mergedFor(ctx)).view(ctx.apps, this.policyOf(ctx));
  }

  private modeToolsOf(ctx: ToolContext): ModeToolSet[] {
    return this.modeTools.filter((m) => m.modes.includes(ctx.mode));
  }

  /**
   * What a call of this tool sends on its request's own stream while it runs (undefined: nothing but
   * its result), as the mode tools and sources declared it (`callStreams`). Whatever the caller's
   * mode: a call the caller may not make is refused the same way.
   */
  callStream(name: string): CallStream | undefined {
    return this.callStreams.get(name);
  }

  /**
   * The mode an era serves to a caller asking for `requested`. Dynamic mode's list grows as the
   * caller enables tools (`enable-tools` keeps them in the session and announces `list_changed`);
   * the 2026-07-28 era keeps no session and changes no list as a side effect of a call, so it serves
   * dynamic mode as search (the same discovery, without enabling). Every other mode is served as asked.
   */
  servedMode(era: ToolContext['era'], requested: ToolMode): ToolMode {
    return era === 'stateless' && requested === 'dynamic' ? 'search' : requested;
  }

  /**
   * Whether the caller's `tools/list` is one every caller with the same tools shares (static mode),
   * so that `listJson` has it pre-serialized.
   */
  sharesList(ctx: Pick<ToolContext, 'mode'>): boolean {
    return ctx.mode === 'static';
  }

  /** The definitions `tools/list` returns for the caller. */
  async list(ctx: ToolContext): Promise<Tool[]> {
    const view = (await this.mergedFor(ctx)).view(ctx.apps, this.policyOf(ctx));
    const modeTools = this.modeToolsOf(ctx).flatMap((m) => m.definitions(view));
    if (ctx.mode === 'static') return [...modeTools, ...this.staticDefinitions(view)];
    if (ctx.mode === 'search') return modeTools;
    const tools: Tool[] = [...modeTools];
    for (const name of ctx.enabledTools) {
      const owned = view.owned(name);
      if (owned) tools.push(owned.tool.definition);
    }
    return tools;
  }

  /** The definition of one tool the caller's `tools/list` holds (undefined when it holds none of that name). */
  async definition(ctx: ToolContext, name: string): Promise<Tool | undefined> {
    const view = (await this.mergedFor(ctx)).view(ctx.apps, this.policyOf(ctx));
    for (const m of this.modeToolsOf(ctx)) {
      const own = m.definitions(view).find((t) => t.name === name);
      if (own) return own;
    }
    if (ctx.mode === 'search' || (ctx.mode === 'dynamic' && !ctx.enabledTools.includes(name))) return undefined;
    return view.owned(name)?.tool.definition;
  }

  private staticDefinitions(view: AppsView): readonly Tool[] {
    let defs = view.definitions.get('static');
    if (!defs) {
      // One order for one set of tools, whatever order the upstream lists them in.
      defs = view.tools.map((t) => t.definition).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      view.definitions.set('static', defs);
    }
    return defs;
  }

  /**
   * The serialized `tools/list` result when the caller's list is shared by every caller with the
   * same tools (static mode): serialized once per view, not per request. Undefined otherwise.
   */
  async listJson(ctx: ToolContext): Promise<string | undefined> {
    if (!this.sharesList(ctx)) return undefined;
    const view = (await this.mergedFor(ctx)).view(ctx.apps, this.policyOf(ctx));
    let json = view.json.get('static');
    if (json === undefined) {
      const modeTools = this.modeToolsOf(ctx).flatMap((m) => m.definitions(view));
      json = JSON.stringify({ tools: [...modeTools, ...this.staticDefinitions(view)] });
      view.json.set('static', json);
    }
    return json;
  }

  /**
   * Runs a tool the caller can see (an unknown or hidden one is -32602, with close names). Each
   * call takes one of the identity's `MAX_CONCURRENT_CALLS_PER_IDENTITY` slots while it runs.
   */
  async call(ctx: ToolCallContext, name: string, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    // Long-running actions (SPEC §18): a top-level call may outlive its request as a run handle.
    if (this.runner && ctx.run === undefined && this.runner.applies(ctx, name)) return this.runner.run(ctx, name, (c) => this.call(c, name, args));
    const merged = await this.mergedFor(ctx);
    const view = merged.view(ctx.apps, this.policyOf(ctx));
    const modeTools = this.modeToolsOf(ctx).find((m) => m.names.includes(name));
    if (modeTools) {
      this.traceIds?.toolResolved(name);
      // A mode tool that refuses (e.g. run-read-action on a writing action) without calling back into
      // the registry gets its own audit line; one that does is audited by that inner call.
      const trail = { audited: false };
      const started = performance.now();
      const result = await modeTools.call({ ...ctx, trail }, name, args ?? {}, view);
      if (result.isError && !trail.audited)
        this.writeAudit(ctx, { tool: name, source: 'mode-tools' }, {}, outcomeOf(result), performance.now() - started, args);
      return result;
    }

    const owned = view.owned(name);
    if (owned && ctx.mode === 'search') {
      this.writeAudit(ctx, { tool: name }, {}, 'not_listed', 0, args);
      throw new RpcError(
        JsonRpcErrorCode.InvalidParams,
        `Tool "${String(name).slice(0, 200)}" is not listed in search mode; run it with run-action (or run-read-action).`,
      );
    }
    if (!owned || (ctx.mode === 'dynamic' && !ctx.enabledTools.includes(name))) {
      // Refused: hidden by policy (the catalog has it, the caller's view does not), not enabled, or unknown.
      const outcome: AuditOutcome = owned ? 'not_enabled' : merged.offers(name) ? 'denied' : 'unknown_tool';
      this.writeAudit(ctx, { tool: name }, {}, outcome, 0, args);
      throw this.unknownTool(name, view, owned !== undefined);
    }
    this.traceIds?.toolResolved(name);
    const label = owned.tool.app ?? owned.source.sourceName;
    const release = this.limits.tryAcquireUpstreamCall(ctx.identity.key);
    if (!release) {
      this.observer.record(label, 'rate_limited', 0);
      this.writeAudit(ctx, auditedTool(owned), {}, 'rate_limited', 0, args);
      const limit = this.limits.maxConcurrentCalls;
      return errorResult(
        `Too many tool calls are running at once for this user (limit ${limit}, MAX_CONCURRENT_CALLS_PER_IDENTITY); ` +
          'wait for one to finish, then call again.',
        { type: 'rate_limited', limit, retryAfterSeconds: 1 },
      );
    }
    const started = performance.now();
    const audit: { connectionId?: string } = {};
    let outcome: AuditOutcome = 'failed';
    try {
      const result = await owned.source.call({ ...ctx, audit }, owned.tool, args ?? {});
      outcome = outcomeOf(result);
      return result;
    } catch (err) {
      outcome = ctx.signal?.aborted ? 'cancelled' : 'failed';
      throw err;
    } finally {
      release();
      const durationMs = performance.now() - started;
      this.observer.record(label, outcome, durationMs);
      this.writeAudit(ctx, auditedTool(owned), audit, outcome, durationMs, args);
    }
  }

  /**
   * An audit line for a step of a feature that is not itself an action run, in the shape of a tool
   * call's line (e.g. connect-app issuing a link, `GET /connect/<id>` opened): `tool` names the step,
   * `integration` the app. For mode tools, a call that writes one is not audited again by the registry.
   */
  auditStep(
    ctx: Pick<ToolCallContext, 'identity' | 'requestId' | 'run' | 'trail'>,
    entry: { tool: string; integration?: string; source: string },
    outcome: AuditOutcome,
    durationMs = 0,
    args?: Record<string, unknown>,
  ): void {
    this.writeAudit(ctx, entry, {}, outcome, durationMs, args);
  }

  /**
   * One line per tool call (logger `audit`), refused ones included: who ran which tool where, how
   * it ended (`outcome`, from `AUDIT_OUTCOMES`), and an HMAC-SHA256 of the arguments keyed with
   * AUDIT_HASH_KEY (`argumentsHmac`: equal arguments correlate, yet a short argument cannot be
   * recovered by hashing guesses, as it could from a plain SHA-256) — never their values, the
   * output or a token. A name that resolved to no tool is the client's text: cut.
   */
  private writeAudit(
    ctx: Pick<ToolCallContext, 'identity' | 'requestId' | 'run' | 'trail'>,
    tool: { tool: string; integration?: string; source?: string },
    details: { connectionId?: string },
    outcome: AuditOutcome,
    durationMs: number,
    args: Record<string, unknown> | undefined,
  ): void {
    if (ctx.trail) ctx.trail.audited = true;
    if (!this.audit) return;
    let argumentsHmac: string;
    try {
      argumentsHmac = this.auditHash.hex(JSON.stringify(args ?? {}));
    } catch {
      argumentsHmac = 'unserializable';
    }
    this.audit.info(
      {
        requestId: ctx.requestId,
        traceId: this.traceIds?.current(),
        identity: ctx.identity.key.slice(0, 12),
        workspace: ctx.identity.workspaceKey.slice(0, 128),
        tool: String(tool.tool).slice(0, 128),
        integration: tool.integration,
        source: tool.source,
        connectionId: details.connectionId,
        runId: ctx.run?.id,
        outcome,
        durationMs: Math.round(durationMs),
        argumentsHmac,
      },
      'tool call',
    );
  }

  private unknownTool(name: string, view: AppsView, exists: boolean): RpcError {
    const shown = String(name).slice(0, 200);
    if (exists) {
      return new RpcError(JsonRpcErrorCode.InvalidParams, `Tool "${shown}" is not enabled in this session; call enable-tools with ["${shown}"] first.`);
    }
    const suggestions = suggestNames(
      name,
      view.tools.map((t) => t.definition.name),
    );
    const hint = suggestions.length ? ` Did you mean: ${suggestions.join(', ')}?` : '';
    return new RpcError(JsonRpcErrorCode.InvalidParams, `Unknown tool: "${shown}".${hint}`);
  }
}

/**
 * Every outcome an audit line (and the tool-call metric) may carry: a run's own (`success`,
 * `failed`, `cancelled`, an upstream error kind, `invalid_arguments`, `error`), and refusals that
 * ran nothing — `denied` (policy hides the tool), `unknown_tool`, `not_enabled` (dynamic mode),
 * `not_listed` (a direct call in search mode), `not_read_only` (run-read-action on a writing
 * action), `not_connected` (a run naming an action of an app not connected yet), `rate_limited`
 * (MAX_CONCURRENT_CALLS_PER_IDENTITY).
 */
export const AUDIT_OUTCOMES = [
  'success',
  'failed',
  'cancelled',
  'error',
  'invalid_arguments',
  'invalid_request',
  'tool_failed',
  'denied',
  'unknown_tool',
  'not_enabled',
  'not_listed',
  'not_read_only',
  'not_connected',
  'rate_limited',
  'unauthorized',
  'forbidden',
  'not_found',
  'timeout',
  'unavailable',
  'bad_request',
  'connection',
  'action_failed',
] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
const KNOWN_OUTCOMES: ReadonlySet<string> = new Set(AUDIT_OUTCOMES);

/** The audited tool of a resolved call. */
function auditedTool(owned: Owned): { tool: string; integration?: string; source: string } {
  return { tool: owned.tool.definition.name, integration: owned.tool.app, source: owned.source.sourceName };
}

/** The outcome of a tool result: `success`, or the error type the source put in `structuredContent.error.type` when it is a known one, else `error`. */
function outcomeOf(result: CallToolResult): AuditOutcome {
  if (!result.isError) return 'success';
  const type = (result.structuredContent as { error?: { type?: unknown } } | undefined)?.error?.type;
  return typeof type === 'string' && KNOWN_OUTCOMES.has(type) ? (type as AuditOutcome) : 'error';
}
