import { Injectable } from '@nestjs/common';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { SessionsService } from '../../sessions/sessions.service';
import { errorResult } from '../tool-results';
import { ENABLE_TOOLS } from '../mode-tool-names';
import { CallStream, ModeToolSet, ToolCallContext, ToolView } from '../tool-source';

/** Names `enable-tools` accepts per call. */
export const ENABLE_TOOLS_MAX_NAMES = 500;
/** Unknown names of one call that get "did you mean" suggestions (bounded work per request). */
const SUGGESTED_UNKNOWN_NAMES = 10;

export interface EnableToolsOutcome {
  [key: string]: unknown;
  enabled: string[];
  alreadyEnabled: string[];
  unknown: Array<{ name: string; suggestions: string[] }>;
  enabledTools: string[];
}

/**
 * Dynamic mode: `tools/list` starts with `enable-tools` alone; it adds tools of any source to the
 * session (by listed name, alias such as `<integrationKey>-<actionKey>`, or a bare app key for all
 * of its tools), announces `notifications/tools/list_changed`, and the tools are callable at once.
 */
@Injectable()
export class EnableTools extends ModeToolSet {
  readonly modes = ['dynamic'] as const;
  readonly names = [ENABLE_TOOLS];
  /** It announces `list_changed`: on the session's GET stream when one is open, else on its request's own stream. */
  override readonly callStreams: Readonly<Record<string, CallStream>> = { [ENABLE_TOOLS]: 'notifies' };
  private readonly definitionsByView = new WeakMap<ToolView, readonly Tool[]>();

  constructor(private readonly sessions: SessionsService) {
    super();
  }

  definitions(view: ToolView): readonly Tool[] {
    let defs = this.definitionsByView.get(view);
    if (!defs) {
      defs = [
        {
          name: ENABLE_TOOLS,
          title: 'Enable tools',
          description:
            'Enables tools for this session so they can be called. Pass the tools you need: tool names ' +
            '("<integrationKey>_<actionKey>"), the "<integrationKey>-<actionKey>" form, or a bare integration key to ' +
            'enable all of its actions. Repeated calls add to what is enabled. ' +
            (view.apps.length ? `Connected integrations: ${view.apps.join(', ')}.` : view.tools.length ? '' : 'The user has no connected integrations yet.'),
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
        },
      ];
      this.definitionsByView.set(view, defs);
    }
    return defs;
  }

  async call(ctx: ToolCallContext, _name: string, args: Record<string, unknown>, view: ToolView): Promise<CallToolResult> {
    const requested = args.tools;
    if (!Array.isArray(requested) || requested.length === 0 || requested.some((t) => typeof t !== 'string' || !t.trim())) {
      return errorResult('Invalid arguments for enable-tools: "tools" must be a non-empty array of tool names or integration keys.', {
        type: 'invalid_arguments',
        fields: [{ path: 'tools', message: 'must be a non-empty array of strings' }],
      });
    }
    if (requested.length > ENABLE_TOOLS_MAX_NAMES) {
      return errorResult(`Invalid arguments for enable-tools: at most ${ENABLE_TOOLS_MAX_NAMES} names per call.`, {
        type: 'invalid_arguments',
        fields: [{ path: 'tools', message: `must hold at most ${ENABLE_TOOLS_MAX_NAMES} names` }],
      });
    }
    if (!ctx.session) return errorResult('enable-tools needs a session.', { type: 'invalid_request' });
    const resolved = new Set<string>();
    const unknown: EnableToolsOutcome['unknown'] = [];
    for (const raw of requested as string[]) {
      const text = raw.trim();
      const tool = view.resolve(text);
      if (tool) {
        resolved.add(tool.definition.name);
        continue;
      }
      const ofApp = view.appTools(text);
      if (ofApp.length) {
        ofApp.forEach((t) => resolved.add(t.definition.name));
        continue;
      }
      // Suggestions for the first few unknown names only: each one compares against every tool name.
      unknown.push({ name: text.slice(0, 200), suggestions: unknown.length < SUGGESTED_UNKNOWN_NAMES ? view.suggest(text) : [] });
    }
    const before = new Set(ctx.enabledTools);
    const all = resolved.size ? await this.sessions.enableTools(ctx.session.id, [...resolved]) : [...before];
    const enabled = [...resolved].filter((n) => !before.has(n));
    const outcome: EnableToolsOutcome = {
      enabled,
      alreadyEnabled: [...resolved].filter((n) => before.has(n)),
      unknown,
      enabledTools: all,
    };
    if (enabled.length) await ctx.notify?.('notifications/tools/list_changed').catch(() => undefined);
    const parts: string[] = [];
    if (enabled.length) parts.push(`Enabled ${enabled.length} tool(s): ${enabled.join(', ')}.`);
    if (outcome.alreadyEnabled.length) parts.push(`Already enabled: ${outcome.alreadyEnabled.join(', ')}.`);
    if (unknown.length) {
      parts.push(`Unknown: ${unknown.map((u) => (u.suggestions.length ? `${u.name} (did you mean ${u.suggestions.join(', ')}?)` : u.name)).join('; ')}.`);
    }
    if (!resolved.size) parts.push('No tools were enabled.');
    else parts.push('Enabled tools can be called right away.');
    return { content: [{ type: 'text', text: parts.join(' ') }], structuredContent: outcome, isError: resolved.size === 0 };
  }
}
