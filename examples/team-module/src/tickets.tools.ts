import { Inject, Injectable } from '@nestjs/common';
import { ConfigType, registerAs } from '@nestjs/config';
import { errorResult, McpTool, ToolCallContext } from 'integration-app-mcp-server';

/** This module's own settings, from the environment like the server's. */
export const ticketsConfig = registerAs('tickets', () => ({
  /** The internal ticket service (POST <url>/tickets). */
  url: (process.env.TICKETS_URL ?? 'http://tickets.internal').replace(/\/+$/, ''),
  timeoutMs: Number(process.env.TICKETS_TIMEOUT_MS ?? 5000),
}));

/** A tool that writes: it posts to an internal HTTP service on behalf of the calling customer. */
@Injectable()
export class TicketTools {
  constructor(@Inject(ticketsConfig.KEY) private readonly config: ConfigType<typeof ticketsConfig>) {}

  @McpTool({
    name: 'helpdesk_open-ticket',
    title: 'Helpdesk: Open ticket',
    description: 'Opens a ticket with the internal helpdesk for the current user. Use for IT problems and access requests; returns the ticket id.',
    app: 'helpdesk',
    inputSchema: {
      type: 'object',
      properties: {
        summary: { type: 'string', minLength: 3, maxLength: 200, description: 'One line: what is wrong or needed.' },
        details: { type: 'string', maxLength: 5000 },
        priority: { type: 'string', enum: ['low', 'normal', 'high'], default: 'normal' },
      },
      required: ['summary'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  })
  async openTicket(args: { summary: string; details?: string; priority?: string }, ctx: ToolCallContext) {
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const res = await fetch(`${this.config.url}/tickets`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      // The caller's identity, never its token: the internal service has its own trust.
      body: JSON.stringify({
        ...args,
        priority: args.priority ?? 'normal',
        requester: { workspace: ctx.identity.workspaceKey, customerId: ctx.identity.customerId },
      }),
      signal: ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout,
    });
    if (!res.ok) return errorResult(`The helpdesk answered HTTP ${res.status}; try again later.`, { type: 'helpdesk_unavailable', status: res.status });
    return (await res.json()) as { id: string; status: string };
  }
}
