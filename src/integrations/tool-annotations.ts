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

function firstWord(text: string): string {
  const words = text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words[0] ?? '';
}

/** Every hint set explicitly, from the verb the action's key (or name) starts with. */
export function annotationsFor(title: string, actionKey: string, actionName: string): ToolAnnotations {
  const verb = firstWord(actionKey) || firstWord(actionName);
  if (READ_VERBS.has(verb)) {
    return { title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };
  }
  if (DESTRUCTIVE_VERBS.has(verb)) {
    return { title, readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true };
  }
  return { title, readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };
}
