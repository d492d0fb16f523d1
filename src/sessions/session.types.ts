/** static: every tool; dynamic: enable-tools (+ search/describe) and what it enabled; search: the four discovery tools. */
export type ToolMode = 'static' | 'dynamic' | 'search';
export type TransportKind = 'streamable-http' | 'sse';

/** Everything a replica needs to serve a request of a session: small, serializable, no live objects. */
export interface SessionRecord {
  id: string;
  /** Owner: `Identity.key` of the caller that opened the session. */
  identityKey: string;
  workspaceKey: string;
  customerId: string;
  /** The newest access token seen for this session (used for upstream calls). */
  token: string;
  mode: ToolMode;
  /** Integration keys the session is limited to; null = all. */
  apps: string[] | null;
  /** Dynamic mode: tool names enabled so far. */
  enabledTools: string[];
  chatId?: string;
  /** The narrowing the session was opened with (X-MCP-Readonly / X-MCP-Tools / X-MCP-Exclude-Tools). */
  policy?: { readonly readOnly: boolean; readonly allow: ReadonlyArray<readonly string[]>; readonly deny: readonly string[] };
  transport: TransportKind;
  protocolVersion?: string;
  /** The client declared URL-mode elicitation at `initialize` (`capabilities.elicitation.url`). */
  clientElicitsUrl?: true;
  createdAt: number;
  lastUsedAt: number;
}
