/**
 * Modes as paths (SPEC §12): `/mcp/search` and `/mcp/dynamic` are `/mcp?mode=search` and
 * `/mcp?mode=dynamic`, for clients that redact or mangle URLs with a query string. Each has its own
 * OAuth protected-resource metadata (SPEC §15): `/.well-known/oauth-protected-resource/mcp/search`.
 */
export const MODE_PATHS = ['search', 'dynamic'] as const;
export type PathMode = (typeof MODE_PATHS)[number];

const MODE_PATH = /^\/mcp\/(search|dynamic)\/?$/;

/** The mode a request path names (`/mcp/search` → `search`), or undefined for `/mcp` and others. */
export function pathMode(path: string | undefined): PathMode | undefined {
  const match = path === undefined ? null : MODE_PATH.exec(path);
  return match ? (match[1] as PathMode) : undefined;
}

/** The MCP resource a request path belongs to: `/mcp` or `/mcp/<mode>`. */
export function resourcePath(path: string | undefined): string {
  const mode = pathMode(path);
  return mode ? `/mcp/${mode}` : '/mcp';
}
