import { createHash } from 'node:crypto';

export const MAX_TOOL_NAME_LENGTH = 64;

export function shortHash(text: string, length = 8): string {
  return createHash('sha256')
    .update(text)
    .digest('base64url')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, length);
}

/** Reduces any text to the characters MCP clients accept in tool names. */
export function sanitizeNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

/**
 * `<integrationKey>_<actionKey>`, reduced to `[A-Za-z0-9_-]` and at most 64 characters. A name
 * that had to be cut ends with `_` and a short hash of the full pair, so it stays stable and unique.
 */
export function baseToolName(integrationKey: string, actionKey: string): string {
  const full = `${sanitizeNamePart(integrationKey)}_${sanitizeNamePart(actionKey)}`;
  if (full.length <= MAX_TOOL_NAME_LENGTH) return full;
  const suffix = `_${shortHash(`${integrationKey}\u0000${actionKey}`)}`;
  return full.slice(0, MAX_TOOL_NAME_LENGTH - suffix.length).replace(/[_-]+$/, '') + suffix;
}

/**
 * Assigns every (integration, action) pair a unique tool name. Pairs are processed in a
 * deterministic order, and a pair whose base name is already taken (e.g. `a.b` and `a_b` both
 * sanitize to `a_b`) gets a hash suffix of its own full pair.
 */
export function assignToolNames(pairs: Array<{ integrationKey: string; actionKey: string }>): string[] {
  const taken = new Set<string>();
  const order = pairs
    .map((p, i) => ({ ...p, i, sortKey: `${p.integrationKey}\u0000${p.actionKey}` }))
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  const names: string[] = new Array(pairs.length);
  for (const p of order) {
    let name = baseToolName(p.integrationKey, p.actionKey);
    if (taken.has(name)) {
      const suffix = `_${shortHash(`${p.integrationKey}\u0000${p.actionKey}`)}`;
      name = name.slice(0, MAX_TOOL_NAME_LENGTH - suffix.length).replace(/[_-]+$/, '') + suffix;
      for (let n = 2; taken.has(name); n++) {
        const extra = `_${shortHash(`${p.integrationKey}\u0000${p.actionKey}\u0000${n}`)}`;
        name = name.slice(0, MAX_TOOL_NAME_LENGTH - extra.length) + extra;
      }
    }
    taken.add(name);
    names[p.i] = name;
  }
  return names;
}
