export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

const READ_VERBS = new Set([
  'list',
  'get',
  'search',
  'find',
  'read',
  'fetch',
  'query',
  'lookup',
  'retrieve',
  'count',
  'describe',
  'download',
  'export',
  'view',
  'check',
]);
const DESTRUCTIVE_VERBS = new Set(['delete', 'remove', 'archive', 'destroy', 'purge', 'erase', 'trash', 'cancel', 'revoke', 'unsubscribe', 'clear']);

/** Verbs that change something: a key holding one anywhere (`get-or-create-contact`) is never read-only by its first word. */
const WRITE_VERBS = new Set([
  'create',
  'update',
  'upsert',
  'send',
  'insert',
  'write',
  'submit',
  'publish',
  'invite',
  'add',
  'execute',
  'delete',
  'remove',
  'destroy',
  'purge',
  'erase',
]);

/**
 * What an Integration.app action type says about it (`ActionType` of `@integration-app/sdk`): the
 * data-record types read or change records; the others (`run-javascript`, `api-request…`,
 * `connector-operation`, `http-request`) say nothing, and the key decides.
 */
const TYPE_SEMANTICS: Readonly<Record<string, 'read' | 'write' | 'delete'>> = {
  'list-data-records': 'read',
  'find-data-record-by-id': 'read',
  'match-data-record': 'read',
  'search-data-record': 'read',
  'create-data-record': 'write',
  'find-or-create-data-record': 'write',
  'update-data-record': 'write',
  'delete-data-record': 'delete',
};

function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const READ: Omit<ToolAnnotations, 'title'> = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };
const DESTRUCTIVE: Omit<ToolAnnotations, 'title'> = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true };
const WRITE: Omit<ToolAnnotations, 'title'> = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };

/**
 * Every hint set explicitly: from the upstream action type when it says whether the action reads
 * or changes records, else from the verb the action's key (or name) starts with — and never
 * read-only when the key names a writing verb anywhere (`get-or-create-contact`). Read-only decides
 * what READ_ONLY and X-MCP-Readonly let through, so every doubt falls on the writing side.
 */
export function annotationsFor(title: string, actionKey: string, actionName: string, actionType?: string): ToolAnnotations {
  const semantics = actionType === undefined ? undefined : TYPE_SEMANTICS[actionType];
  if (semantics === 'read') return { title, ...READ };
  if (semantics === 'delete') return { title, ...DESTRUCTIVE };
  if (semantics === 'write') return { title, ...WRITE };
  const keyWords = words(actionKey);
  const verb = keyWords[0] ?? words(actionName)[0] ?? '';
  if (DESTRUCTIVE_VERBS.has(verb)) return { title, ...DESTRUCTIVE };
  const writes = (keyWords.length ? keyWords : words(actionName)).some((w) => WRITE_VERBS.has(w));
  if (READ_VERBS.has(verb) && !writes) return { title, ...READ };
  return { title, ...WRITE };
}
