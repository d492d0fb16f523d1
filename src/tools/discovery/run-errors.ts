import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { errorResult } from '../tool-results';
import type { ToolView } from '../tool-source';
import type { NotConnectedTool } from '../not-connected-actions.port';

/** At most this many misplaced field names are named (each cut to NAME_MAX characters). */
const MISPLACED_SHOWN = 10;
const NAME_MAX = 64;

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max)}…`);

/**
 * `run-action` / `run-read-action` naming no action the caller may run (unknown, filtered out by
 * `apps`, or denied by policy: they look alike): an `isError` result the model can correct, with
 * close names (SPEC §12), not a protocol error — the run tool itself exists.
 */
export function unknownActionResult(runTool: string, tool: string, view: ToolView): CallToolResult {
  const shown = cut(tool, 200);
  const suggestions = view.suggest(tool);
  const hint = suggestions.length ? ` Did you mean: ${suggestions.join(', ')}?` : '';
  return errorResult(
    `Unknown action "${shown}": no action the user can run has that name.${hint} ` +
      `Find the exact name with search-actions (its schema with describe-actions), then call ${runTool} again.`,
    { type: 'unknown_action', tool: shown, suggestions },
  );
}

/**
 * The action's arguments sent beside `arguments` instead of inside it (`{ tool, to, body }`): named
 * as misplaced, so the model moves them rather than being told a field it sent is missing.
 */
export function misplacedArgumentsResult(runTool: string, tool: string, fields: readonly string[]): CallToolResult {
  const shown = fields.slice(0, MISPLACED_SHOWN).map((f) => cut(f, NAME_MAX));
  const more = fields.length > shown.length ? ` (and ${fields.length - shown.length} more)` : '';
  const list = shown.map((f) => `"${f}"`).join(', ');
  return errorResult(
    `Misplaced arguments for ${runTool}: ${list}${more} must go inside "arguments", not beside "tool". ` +
      `Call ${runTool} again as { "tool": "${cut(tool, 200)}", "arguments": { ${shown.map((f) => `"${f}": …`).join(', ')} } }; ` +
      "the action's schema is available through describe-actions.",
    { type: 'misplaced_arguments', fields: shown },
  );
}

/**
 * A run (or describe) naming an action of an app the user has not connected (SPEC §16): an `isError`
 * result naming `connect-app` and the app key, so the model offers the user a link instead of guessing.
 */
export function notConnectedResult(runTool: string, tool: NotConnectedTool): CallToolResult {
  return errorResult(
    `${tool.definition.name} belongs to ${tool.appName}, which the user has not connected yet, so it cannot run. ` +
      `Call connect-app with { "app": "${tool.app}" } and show the user the link; once they have connected ${tool.appName}, call ${runTool} again.`,
    { type: 'not_connected', tool: tool.definition.name, app: tool.app, connectWith: 'connect-app' },
  );
}
