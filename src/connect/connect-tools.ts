import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { appConfig, AppConfig, connectConfig, ConnectConfig } from '../config/app.config';
import { narrow } from '../tools/policy';
import type { UpstreamIntegration } from '../integrations/integration-app.gateway';
import { UpstreamError } from '../integrations/upstream.error';
import { suggestNames } from '../tools/suggest-names';
import { errorResult } from '../tools/tool-results';
import { CallStream, ModeToolSet, ToolCallContext, ToolContext, ToolMode, ToolView } from '../tools/tool-source';
import { ToolRegistry } from '../tools/tool-registry';
import { ConnectService } from './connect.service';

export const LIST_APPS = 'list-apps';
export const CONNECT_APP = 'connect-app';
/** Longest `app` / `query` accepted (integration keys and names are short). */
export const APP_ARG_MAX = 100;
/** Apps one list-apps answer holds at most. */
export const LIST_APPS_MAX = 200;

export interface ListedApp {
  key: string;
  name: string;
  connected: boolean;
  connectionId?: string;
  /** Tools of a connected app the caller can see (known only for connected apps). */
  actions?: number;
}

/** An isError result's `structuredContent.error` (clients check error results against the output schema too). */
const ERROR_OUTPUT = { type: 'object', properties: { type: { type: 'string' } } };

const LIST_APPS_OUTPUT = {
  type: 'object' as const,
  properties: {
    apps: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          name: { type: 'string' },
          connected: { type: 'boolean' },
          connectionId: { type: 'string' },
          actions: { type: 'integer' },
        },
        required: ['key', 'name', 'connected'],
      },
    },
    truncated: { type: 'boolean' },
    total: { type: 'integer' },
    error: ERROR_OUTPUT,
  },
};

const CONNECT_APP_OUTPUT = {
  type: 'object' as const,
  properties: {
    app: { type: 'string' },
    url: { type: 'string', description: 'The link to show the user (single use).' },
    expiresAt: { type: 'string', format: 'date-time' },
    connected: { type: 'boolean', description: 'Set when the app was already connected (no link made).' },
    connectionId: { type: 'string' },
    connections: { type: 'array', items: { type: 'string' } },
    error: ERROR_OUTPUT,
  },
};

/** What a model-facing failure of these tools looks like. */
function invalid(tool: string, field: string, message: string): CallToolResult {
  return errorResult(`Invalid arguments for ${tool}: "${field}" ${message}.`, { type: 'invalid_arguments', fields: [{ path: field, message }] });
}

function upstreamTrouble(err: unknown): CallToolResult {
  if (err instanceof UpstreamError) {
    if (err.kind === 'unauthorized' || err.kind === 'forbidden') {
      return errorResult('Integration.app rejected the access token; get a fresh token and reconnect.', { type: err.kind });
    }
    return errorResult(`Integration.app could not list the apps right now (${err.kind}); retry in a little while.`, { type: err.kind });
  }
  throw err;
}

/** App keys close to a miss (by key or by name; each app once). */
function closeApps(text: string, integrations: readonly UpstreamIntegration[]): string[] {
  const keyOf = new Map<string, string>();
  for (const i of integrations) {
    keyOf.set(i.key, i.key);
    if (!keyOf.has(i.name)) keyOf.set(i.name, i.key);
  }
  return [...new Set(suggestNames(text, keyOf.keys(), 6).map((n) => keyOf.get(n)!))].slice(0, 3);
}

const matches = (needle: string) => (i: UpstreamIntegration) => i.key.toLowerCase().includes(needle) || i.name.toLowerCase().includes(needle);

/**
 * `list-apps` and `connect-app` (SPEC §16): the workspace's apps with what the customer connected,
 * and a single-use link that connects one more. Listed in search mode by default; in every mode with
 * `CONNECT_TOOLS=all`; nowhere with `CONNECT_TOOLS=none`.
 */
@Injectable()
export class ConnectTools extends ModeToolSet {
  readonly modes: readonly ToolMode[];
  readonly names: readonly string[];
  /** connect-app offers its link as a URL elicitation on its request's own stream (to clients that declared it). */
  override readonly callStreams: Readonly<Record<string, CallStream>> = { [CONNECT_APP]: 'elicits' };
  private readonly definitionsByView = new WeakMap<ToolView, readonly Tool[]>();

  constructor(
    private readonly connect: ConnectService,
    @Inject(connectConfig.KEY) private readonly config: ConnectConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly registry: ToolRegistry,
  ) {
    super();
    this.modes = config.tools === 'all' ? ['static', 'dynamic', 'search'] : config.tools === 'search' ? ['search'] : [];
    this.names = config.tools === 'none' ? [] : [LIST_APPS, CONNECT_APP];
  }

  definitions(view: ToolView): readonly Tool[] {
    let defs = this.definitionsByView.get(view);
    if (!defs) {
      defs = [
        {
          name: LIST_APPS,
          title: 'List apps',
          description:
            "Lists the apps (integrations) of this workspace, the user's connected ones first, with connected, connectionId and " +
            'the number of actions of each connected app. Use it to see what the user could connect; connect one with connect-app.',
          inputSchema: {
            type: 'object',
            properties: { query: { type: 'string', maxLength: APP_ARG_MAX, description: 'Only apps whose key or name contains this text.' } },
            additionalProperties: false,
          },
          outputSchema: LIST_APPS_OUTPUT,
          annotations: { title: 'List apps', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
        },
        {
          name: CONNECT_APP,
          title: 'Connect an app',
          description:
            'Gives a link the user opens to connect one more app (e.g. "asana") to their account. Show the link to the user; ' +
            "once they have connected, the app's actions appear. It never connects anything by itself. " +
            'For an app already connected it says so (pass addAnother: true for a link that adds a second connection).',
          inputSchema: {
            type: 'object',
            properties: {
              app: { type: 'string', minLength: 1, maxLength: APP_ARG_MAX, description: 'The app key (from list-apps) or its name.' },
              addAnother: { type: 'boolean', description: 'The app is already connected and the user wants a second connection.' },
            },
            required: ['app'],
            additionalProperties: false,
          },
          outputSchema: CONNECT_APP_OUTPUT,
          annotations: { title: 'Connect an app', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
        },
      ];
      this.definitionsByView.set(view, defs);
    }
    return defs;
  }

  /** Whether the tenant policy refuses this tool to the caller: what it says, or undefined when it allows it. */
  private refusal(ctx: ToolContext, name: string): 'read-only policy' | 'tool policy' | undefined {
    // The tenant policy (operator ceiling ∩ the request's narrowing) can deny either tool by name, and a
    // read-only one refuses connect-app (it changes the customer's account).
    const policy = narrow(this.app.toolPolicy, ctx.policy);
    if (name === CONNECT_APP && policy.readOnly) return 'read-only policy';
    return policy.deny.includes(name) ? 'tool policy' : undefined;
  }

  /** Whether the caller can call connect-app here: listed in its mode and allowed by its policy. */
  offersConnectApp(ctx: ToolContext): boolean {
    return this.names.includes(CONNECT_APP) && this.modes.includes(ctx.mode) && this.refusal(ctx, CONNECT_APP) === undefined;
  }

  async call(ctx: ToolCallContext, name: string, args: Record<string, unknown>, view: ToolView): Promise<CallToolResult> {
    const refused = this.refusal(ctx, name);
    if (refused) {
      return errorResult(`${name} is not allowed here (${refused}); ask the user to connect apps in the product itself.`, { type: 'forbidden' });
    }
    return name === LIST_APPS ? this.listApps(ctx, args, view) : this.connectApp(ctx, args);
  }

  private async listApps(ctx: ToolCallContext, args: Record<string, unknown>, view: ToolView): Promise<CallToolResult> {
    const query = args.query;
    if (query !== undefined && (typeof query !== 'string' || query.length > APP_ARG_MAX)) {
      return invalid(LIST_APPS, 'query', `must be a string of at most ${APP_ARG_MAX} characters`);
    }
    let integrations: UpstreamIntegration[];
    let connections: Awaited<ReturnType<ConnectService['listConnections']>>;
    try {
      [integrations, connections] = await Promise.all([this.connect.listIntegrations(ctx.identity, ctx.token), this.connect.listConnections(ctx.token)]);
    } catch (err) {
      return upstreamTrouble(err);
    }
    const needle = typeof query === 'string' ? query.trim().toLowerCase() : '';
    const selected = needle ? integrations.filter(matches(needle)) : integrations;
    const apps: ListedApp[] = selected.map((i) => {
      const connection = connections.find((c) => c.integrationKey === i.key);
      const tools = view.appTools(i.key).length;
      return {
        key: i.key,
        name: i.name,
        connected: connection !== undefined,
        ...(connection ? { connectionId: connection.id } : {}),
        ...(connection && (tools > 0 || view.apps.includes(i.key)) ? { actions: tools } : {}),
      };
    });
    apps.sort((a, b) => Number(b.connected) - Number(a.connected) || a.name.localeCompare(b.name));
    const shown = apps.slice(0, LIST_APPS_MAX);
    const structured: Record<string, unknown> = { apps: shown, ...(apps.length > shown.length ? { truncated: true, total: apps.length } : {}) };
    const lines = shown.map(
      (a) => `${a.key} (${a.name}): ${a.connected ? `connected${a.actions !== undefined ? `, ${a.actions} action(s)` : ''}` : 'not connected'}`,
    );
    let text = lines.length ? lines.join('\n') : needle ? `No app matches "${needle.slice(0, APP_ARG_MAX)}".` : 'This workspace has no apps.';
    if (!lines.length && needle) {
      const close = closeApps(needle, integrations);
      if (close.length) text += ` Close matches: ${close.join(', ')}.`;
    }
    if (apps.length > shown.length) text += `\n(${apps.length - shown.length} more; narrow with "query")`;
    if (shown.some((a) => !a.connected)) text += '\nConnect an app that is not connected with connect-app.';
    return { content: [{ type: 'text', text }], structuredContent: structured };
  }

  private async connectApp(ctx: ToolCallContext, args: Record<string, unknown>): Promise<CallToolResult> {
    const started = performance.now();
    const raw = args.app;
    if (typeof raw !== 'string' || raw.trim() === '' || raw.length > APP_ARG_MAX) {
      return invalid(CONNECT_APP, 'app', `must be an app key or name of 1 to ${APP_ARG_MAX} characters`);
    }
    if (args.addAnother !== undefined && typeof args.addAnother !== 'boolean') return invalid(CONNECT_APP, 'addAnother', 'must be a boolean');
    const wanted = raw.trim().toLowerCase();
    let integrations: UpstreamIntegration[];
    try {
      integrations = await this.connect.listIntegrations(ctx.identity, ctx.token);
    } catch (err) {
      return upstreamTrouble(err);
    }
    const integration = integrations.find((i) => i.key.toLowerCase() === wanted) ?? integrations.find((i) => i.name.toLowerCase() === wanted);
    if (!integration) {
      const close = closeApps(wanted, integrations);
      const shown = JSON.stringify(raw.trim().slice(0, APP_ARG_MAX));
      return errorResult(
        `Unknown app ${shown}: this workspace has no such app.${close.length ? ` Close matches: ${close.join(', ')}.` : ''} Call list-apps to see the apps.`,
        { type: 'unknown_app', suggestions: close },
      );
    }
    let connections: Awaited<ReturnType<ConnectService['listConnections']>>;
    try {
      connections = (await this.connect.listConnections(ctx.token)).filter((c) => c.integrationKey === integration.key);
    } catch (err) {
      return upstreamTrouble(err);
    }
    const addAnother = args.addAnother === true;
    if (connections.length > 0 && !addAnother) {
      const text =
        `${integration.name} is already connected (connection ${connections.map((c) => c.id).join(', ')}); its actions are available. ` +
        'Only if the user wants a second connection, call connect-app again with addAnother: true.';
      return {
        content: [{ type: 'text', text }],
        structuredContent: { app: integration.key, connected: true, connectionId: connections[0].id, connections: connections.map((c) => c.id) },
      };
    }
    const issued = await this.connect.issue({ identity: ctx.identity, token: ctx.token, sessionId: ctx.session?.id, origin: ctx.origin }, integration, {
      multiple: connections.length > 0,
      knownConnections: connections.map((c) => c.id),
    });
    if (issued.state === 'no_secret') {
      return errorResult(
        'This server cannot make connect links: the operator has not set INTEGRATION_APP_WORKSPACE_SECRET (a link needs a ' +
          `short-lived customer token signed with it). Ask the user to connect ${integration.name} in the product itself.`,
        { type: 'not_configured' },
      );
    }
    if (issued.state === 'no_origin') {
      return errorResult('This server does not know its public URL (PUBLIC_URL is not set), so it cannot make a link.', { type: 'not_configured' });
    }
    if (issued.state === 'unavailable') {
      return errorResult('Connect links cannot be stored right now (the session store is unavailable); try again in a moment.', { type: 'unavailable' });
    }
    if (issued.state === 'too_many') {
      const limit = this.config.linksPerIdentity;
      return errorResult(
        `Too many connect links are open for this user (limit ${limit}, CONNECT_LINKS_PER_IDENTITY): ask the user to open one already ` +
          `given, or wait until they expire (${Math.round(this.config.linkTtlSeconds / 60)} min).`,
        { type: 'rate_limited', limit },
      );
    }
    // Audited like a tool call: the app, never the link id or a token (the registry audits only failed mode-tool calls itself).
    this.registry.auditStep(ctx, { tool: CONNECT_APP, integration: integration.key, source: 'connect' }, 'success', performance.now() - started, args);
    const expiresAt = new Date(issued.link.expiresAt).toISOString();
    const minutes = Math.round(this.config.linkTtlSeconds / 60);
    const message = `Open this link to connect ${integration.name}${addAnother ? ' (another connection)' : ''}: ${issued.url}`;
    // Offered the way the client declared (URL elicitation); the result carries the link whatever the client does.
    ctx.elicitUrl?.({ message: `Connect ${integration.name} to continue.`, url: issued.url, elicitationId: randomUUID() });
    return {
      content: [
        {
          type: 'text',
          text:
            `${message}\nShow this link to the user and ask them to open it. It works once and expires in ${minutes} min (${expiresAt}). ` +
            `When they have connected, ${integration.name}'s actions appear (the tool list changes; search-actions finds them).`,
        },
      ],
      structuredContent: { app: integration.key, url: issued.url, expiresAt },
    };
  }
}
