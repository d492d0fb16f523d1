import { identityOf } from '../../src/auth/identity';
import type { SourceTool, ToolContext, ToolView } from '../../src/tools/tool-source';

/** A `ToolView` over a list of tools, as the registry builds one (for unit tests of search providers). */
export function viewOf(tools: readonly SourceTool[]): ToolView {
  return {
    tools,
    apps: [...new Set(tools.map((t) => t.app).filter((a): a is string => a !== undefined))].sort(),
    resolve: (name) => tools.find((t) => t.definition.name === name),
    appTools: (app) => tools.filter((t) => t.app === app),
    suggest: () => [],
  };
}

/** A search-mode context for a token (what providers receive). */
export function searchContext(token = 'unused-token'): ToolContext {
  return {
    identity: identityOf('workspace', 'customer'),
    token,
    era: 'stateless',
    mode: 'search',
    apps: null,
    enabledTools: [],
  };
}
