import { BadRequestError } from '../common/domain.errors';

/**
 * What a caller may see and run, narrowing only (SPEC §13). Entries are tool names or app
 * (integration) keys. The operator's ceiling (`READ_ONLY`, `TOOLS_ALLOW`, `TOOLS_DENY`) and a
 * request's own narrowing (`X-MCP-Readonly`, `X-MCP-Tools`, `X-MCP-Exclude-Tools`, or the query
 * forms) combine: read-only if either says so, a tool must pass every allow list, and any deny wins.
 */
export interface ToolPolicy {
  readonly readOnly: boolean;
  /** Each list must contain the tool (or its app); empty = no allow lists. */
  readonly allow: ReadonlyArray<readonly string[]>;
  readonly deny: readonly string[];
}

/** What a policy looks at in a tool (a `SourceTool` is one; structural, so `tool-source.ts` can name `ToolPolicy` without a cycle). */
export interface PolicySubject {
  readonly definition: { readonly name: string; readonly annotations?: { readonly readOnlyHint?: boolean } };
  readonly app?: string;
  readonly aliases?: readonly string[];
}

export const OPEN_POLICY: ToolPolicy = Object.freeze({ readOnly: false, allow: [], deny: [] });

const ENTRY = /^[A-Za-z0-9._-]{1,128}$/;
const MAX_ENTRIES = 200;

/**
 * A policy entry as it is matched, for allow and deny lists alike, from the operator or a request:
 * lower case. An entry names a tool by its listed name (`gmail_send-email`) or its alias
 * (`gmail-send-email`, the form `enable-tools` accepts too), or an app by its integration key
 * (`gmail`), in any case.
 */
export function normalizeEntry(entry: string): string {
  return entry.trim().toLowerCase();
}

/** A policy with every entry normalized (`normalizeEntry`) and deduplicated. */
export function normalizePolicy(policy: ToolPolicy): ToolPolicy {
  return {
    readOnly: policy.readOnly,
    allow: policy.allow.map((list) => [...new Set(list.map(normalizeEntry))]),
    deny: [...new Set(policy.deny.map(normalizeEntry))],
  };
}

/** Combines policies (normalizing their entries): the result allows only what every one of them allows. */
export function narrow(...policies: ReadonlyArray<ToolPolicy | undefined>): ToolPolicy {
  const present = policies.filter((p): p is ToolPolicy => p !== undefined).map(normalizePolicy);
  return {
    readOnly: present.some((p) => p.readOnly),
    allow: present.flatMap((p) => p.allow),
    deny: [...new Set(present.flatMap((p) => p.deny))],
  };
}

/** Every normalized name a policy entry may use for a tool: its listed name, its aliases, its integration key. */
export function policyNamesOf(tool: PolicySubject): Set<string> {
  const names = new Set<string>([tool.definition.name.toLowerCase()]);
  for (const alias of tool.aliases ?? []) names.add(alias.toLowerCase());
  if (tool.app !== undefined) names.add(tool.app.toLowerCase());
  return names;
}

/** Whether a tool passes a policy whose entries are normalized (`narrow` / `normalizePolicy`). */
export function allows(policy: ToolPolicy, tool: PolicySubject): boolean {
  if (policy.readOnly && tool.definition.annotations?.readOnlyHint !== true) return false;
  if (policy.deny.length === 0 && policy.allow.length === 0) return true;
  const names = policyNamesOf(tool);
  if (policy.deny.some((entry) => names.has(entry))) return false;
  return policy.allow.every((list) => list.some((entry) => names.has(entry)));
}

/** A stable key of a policy (for caching views). */
export function policyKey(policy: ToolPolicy): string {
  if (!policy.readOnly && policy.allow.length === 0 && policy.deny.length === 0) return '';
  return `${policy.readOnly ? 'ro' : 'rw'}|${policy.allow.map((l) => [...l].sort().join(',')).join(';')}|${[...policy.deny].sort().join(',')}`;
}

/** Parses a comma-separated list of tool names / app keys (a header or query value). */
export function parseList(value: string | undefined, name: string): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const entries = [...new Set(value.split(',').map(normalizeEntry).filter(Boolean))];
  const bad = entries.find((e) => !ENTRY.test(e));
  if (bad !== undefined) throw new BadRequestError(`Invalid entry in ${name}: "${bad.slice(0, 60)}" (tool names or integration keys, comma-separated).`);
  if (entries.length > MAX_ENTRIES) throw new BadRequestError(`Too many entries in ${name} (at most ${MAX_ENTRIES}).`);
  return entries;
}

export function parseFlag(value: string | undefined, name: string): boolean {
  if (value === undefined || value.trim() === '') return false;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  throw new BadRequestError(`${name} must be true or false.`);
}

function one(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return value.join(',');
    throw new BadRequestError(`${name} must be a string.`);
  }
  if (typeof value !== 'string') throw new BadRequestError(`${name} must be a string.`);
  return value;
}

/**
 * A request's narrowing, from its headers (`X-MCP-Readonly`, `X-MCP-Tools`, `X-MCP-Exclude-Tools`)
 * and its query forms (`readonly`, `tools`, `exclude_tools`, for clients that only take a URL) —
 * both at once: a header narrows on top of the URL and never widens it (`?readonly=true` with
 * `X-MCP-Readonly: false` stays read-only; both allow lists apply; both deny lists apply).
 */
export function requestPolicy(headers: Record<string, string | string[] | undefined>, query: Record<string, unknown>): ToolPolicy {
  const header = (n: string) => one(headers[n], n);
  const readOnly = parseFlag(header('x-mcp-readonly'), 'X-MCP-Readonly') || parseFlag(one(query.readonly, 'readonly'), 'readonly');
  const allow = [parseList(header('x-mcp-tools'), 'X-MCP-Tools'), parseList(one(query.tools, 'tools'), 'tools')].filter(
    (list): list is string[] => list !== undefined,
  );
  const deny = [
    ...new Set([
      ...(parseList(header('x-mcp-exclude-tools'), 'X-MCP-Exclude-Tools') ?? []),
      ...(parseList(one(query.exclude_tools, 'exclude_tools'), 'exclude_tools') ?? []),
    ]),
  ];
  if (deny.length > MAX_ENTRIES) throw new BadRequestError(`Too many entries in X-MCP-Exclude-Tools and exclude_tools together (at most ${MAX_ENTRIES}).`);
  return { readOnly, allow, deny };
}
