import { Injectable } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequest, ElicitResultSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import * as z from 'zod/v4';
import type { SessionRecord } from '../sessions/session.types';
import { ENABLE_TOOLS } from '../tools/mode-tool-names';
import { ToolRegistry } from '../tools/tool-registry';
import { NotificationHub } from './notifications/notification.hub';
import { sessionToolContext } from './request-context';
import { requestOrigin } from './request-origin';

export const SERVER_INFO = { name: 'integration-app-mcp-server', title: 'Integration.app MCP Server', version: '1.0.0' };

const STATIC_INSTRUCTIONS =
  "Tools run actions in the user's connected apps through Integration.app. Tool names are <integrationKey>_<actionKey>. " +
  'When a tool has a connectionId argument, the user has several connections to that app: pick the right one.';
const SEARCH_INSTRUCTIONS =
  "The user's connected apps have many actions; find them with search-actions (describe the task in plain words), " +
  'read their arguments with describe-actions, then run them with run-read-action (read-only actions) or run-action.';
const DYNAMIC_INSTRUCTIONS =
  `Only ${ENABLE_TOOLS}, search-actions and describe-actions are listed at first. Find the tools you need with search-actions, ` +
  `then call ${ENABLE_TOOLS} with them (or with integration keys); ` +
  'they become callable immediately and appear in tools/list. ' +
  STATIC_INSTRUCTIONS;

/** What the server tells the model about its tools, per mode (both protocol eras). */
export function instructionsFor(mode: SessionRecord['mode']): string {
  return mode === 'dynamic' ? DYNAMIC_INSTRUCTIONS : mode === 'search' ? SEARCH_INSTRUCTIONS : STATIC_INSTRUCTIONS;
}

/**
 * The schema our `tools/call` handler is registered with: just the method. The SDK `Server` checks
 * every `tools/call` against its full `CallToolRequestSchema` itself and answers a malformed one
 * with -32602 (Invalid params) naming the field. Registered with the full schema, the request is
 * parsed twice, and a malformed one fails the first parse, which the SDK reports as -32603
 * (Internal error) — wrong for a client's mistake.
 */
const ToolsCallEnvelope = z.looseObject({ method: z.literal('tools/call') });

function requestIdOf(headers: Record<string, string | string[] | undefined> | undefined): string | undefined {
  const id = headers?.['x-request-id'];
  return typeof id === 'string' ? id : undefined;
}

/**
 * Builds an SDK `Server` whose handlers serve one session from its stored state. Servers are
 * cheap and short-lived (one per Streamable HTTP request); nothing per session is kept in them.
 */
@Injectable()
export class McpServerFactory {
  /**
   * One validator for every per-request `Server`: the SDK otherwise builds a new Ajv instance per
   * Server, which was the largest single cost of a tools/call in the CPU profile.
   */
  private readonly jsonSchemaValidator = new AjvJsonSchemaValidator();

  constructor(
    private readonly tools: ToolRegistry,
    private readonly hub: NotificationHub,
  ) {}

  create(session: SessionRecord | (() => Promise<SessionRecord>), mode: SessionRecord['mode']): Server {
    const server = new Server(SERVER_INFO, {
      capabilities: { tools: { listChanged: true } },
      instructions: instructionsFor(mode),
      jsonSchemaValidator: this.jsonSchemaValidator,
    });
    const current = typeof session === 'function' ? session : async () => session;
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await this.tools.list(sessionToolContext(await current())) }));
    server.setRequestHandler(ToolsCallEnvelope, async (envelope, extra) => {
      // Validated against CallToolRequestSchema by the SDK before this handler runs.
      const request = envelope as unknown as CallToolRequest;
      const record = await current();
      const progressToken = request.params._meta?.progressToken;
      return this.tools.call(
        {
          ...sessionToolContext(record),
          signal: extra.signal,
          // Long-running actions: progress on the request's own stream (the transport answers this request with SSE).
          ...(progressToken !== undefined
            ? {
                progress: (progress: number, message?: string) =>
                  extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, ...(message ? { message } : {}) } }),
              }
            : {}),
          requestId: requestIdOf(extra.requestInfo?.headers),
          origin: requestOrigin(extra.requestInfo?.headers),
          // URL elicitation on this request's stream, for a client that declared it. The answer is not
          // awaited (it arrives in another HTTP request, maybe on another replica): the result has the URL too.
          ...(record.clientElicitsUrl
            ? {
                elicitUrl: (params: { message: string; url: string; elicitationId: string }) =>
                  void extra
                    .sendRequest({ method: 'elicitation/create', params: { mode: 'url', ...params } } as never, ElicitResultSchema)
                    .catch(() => undefined),
              }
            : {}),
          // One stream per message (MCP spec): the session's GET stream, on whichever replica holds it;
          // else this request's own response stream (SSE answer, or the legacy SSE stream).
          notify: async (method) => {
            if (!(await this.hub.publish(record.id, method))) await extra.sendNotification({ method } as never);
          },
        },
        request.params.name,
        request.params.arguments,
      );
    });
    return server;
  }
}
