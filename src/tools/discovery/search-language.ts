import stem from 'wink-porter2-stemmer';

/**
 * The language of SaaS actions, for search: how agents say what tools call otherwise. Groups of
 * words that mean the same thing in an action's name or description (send/post/message,
 * delete/remove/archive, event/meeting, issue/ticket/bug, contact/lead/person, find/search/lookup,
 * list/all…). Written from the vocabulary of SaaS APIs, not from any evaluation query.
 */
const SYNONYM_GROUPS: readonly string[][] = [
  // Verbs
  ['send', 'post', 'message', 'write', 'notify', 'dm', 'deliver', 'publish', 'ping', 'tell'],
  ['reply', 'respond', 'answer', 'writeback'],
  ['create', 'add', 'new', 'make', 'open', 'start', 'register', 'insert', 'log', 'raise', 'file', 'submit', 'setup'],
  ['schedule', 'book', 'plan', 'arrange'],
  ['delete', 'remove', 'erase', 'destroy', 'trash', 'drop', 'discard', 'purge', 'archive', 'bin', 'wipe', 'scrap', 'junk'],
  ['cancel', 'abort', 'revoke', 'decline', 'terminate', 'stop', 'end', 'unsubscribe'],
  ['update', 'edit', 'modify', 'change', 'rename', 'patch', 'amend', 'adjust', 'tweak', 'move', 'reschedule'],
  ['get', 'fetch', 'retrieve', 'read', 'show', 'view', 'detail', 'details', 'info', 'look'],
  ['search', 'find', 'lookup', 'query', 'locate', 'filter', 'seek', 'match'],
  ['list', 'all', 'every', 'enumerate', 'browse', 'index'],
  ['assign', 'delegate', 'hand', 'handoff', 'allocate', 'reassign', 'owner'],
  ['invite', 'include'],
  ['upload', 'attach', 'store', 'save'],
  ['fulfill', 'ship', 'dispatch', 'deliver'],
  ['log', 'record', 'track', 'worklog', 'timesheet', 'spent', 'hours'],
  ['call', 'phone', 'dial', 'ring'],
  ['review', 'reviewer', 'approve', 'feedback'],
  ['reaction', 'react', 'emoji', 'thumbs'],
  ['register', 'registrant', 'signup', 'sign', 'enroll', 'rsvp', 'attendee'],
  ['discount', 'coupon', 'promo', 'voucher'],
  ['convert', 'turn', 'transform', 'promote', 'qualify'],
  ['merge', 'combine', 'consolidate', 'dedupe', 'duplicate'],
  ['transition', 'move', 'progress', 'stage', 'workflow'],
  ['available', 'availability', 'free', 'busy', 'slot'],
  ['balance', 'funds', 'money', 'cash'],
  ['team', 'squad', 'department'],
  ['download', 'export'],
  ['close', 'resolve', 'complete', 'finish', 'done', 'mark', 'solve', 'solved'],
  ['comment', 'note', 'remark', 'annotate', 'followup'],
  ['refund', 'reimburse', 'return'],
  ['charge', 'bill', 'invoice', 'payment', 'pay', 'paid', 'unpaid', 'outstanding', 'overdue', 'due', 'owed'],
  // Nouns
  ['event', 'meeting', 'appointment', 'invite', 'invitation', 'call', 'calendar', 'sync', 'standup', 'webinar'],
  // A day or a time of day in a request almost always means something on a calendar.
  ['event', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'morning', 'afternoon', 'evening', 'tonight', 'noon', 'tomorrow'],
  ['issue', 'ticket', 'bug', 'defect', 'incident', 'story', 'task', 'case', 'problem', 'complaint', 'todo'],
  ['contact', 'lead', 'person', 'people', 'prospect', 'client', 'customer', 'buyer', 'shopper', 'someone'],
  ['company', 'organization', 'organisation', 'org', 'account', 'business', 'firm'],
  ['deal', 'opportunity', 'sale', 'pipeline'],
  ['message', 'chat', 'dm', 'post', 'conversation', 'thread'],
  ['email', 'mail', 'inbox', 'e-mail'],
  ['file', 'document', 'doc', 'attachment', 'folder', 'sheet', 'spreadsheet', 'pdf', 'report', 'contract', 'image', 'photo'],
  ['user', 'member', 'teammate', 'employee', 'colleague', 'agent', 'owner', 'assignee'],
  ['channel', 'room', 'group', 'space'],
  ['repository', 'repo', 'project', 'codebase'],
  ['pull', 'pr', 'merge'],
  ['page', 'wiki', 'note', 'doc'],
  ['order', 'purchase', 'checkout'],
  ['product', 'item', 'sku', 'listing'],
  ['subscription', 'plan', 'membership'],
  ['card', 'board', 'column'],
  ['status', 'state', 'presence'],
  ['label', 'tag', 'category'],
  ['recording', 'video', 'transcript'],
  ['today', 'tomorrow', 'week', 'date', 'time', 'when'],
];

/** Words that say "read" (an agent looking something up) or "write" (an agent changing something). */
const READ_WORDS = [
  'get',
  'list',
  'find',
  'search',
  'show',
  'what',
  'which',
  'who',
  'how',
  'look',
  'lookup',
  'fetch',
  'check',
  'see',
  'retrieve',
  'read',
  'view',
  'any',
  'many',
  'status',
  'latest',
  'recent',
  'details',
];
const WRITE_WORDS = [
  'create',
  'add',
  'send',
  'post',
  'update',
  'edit',
  'change',
  'delete',
  'remove',
  'archive',
  'schedule',
  'book',
  'make',
  'assign',
  'invite',
  'upload',
  'move',
  'cancel',
  'close',
  'reply',
  'write',
  'rename',
  'notify',
  'start',
  'log',
  'raise',
  'file',
  'submit',
  'refund',
  'charge',
  'mark',
  'comment',
  'tell',
  'ping',
  'reschedule',
];

/** Words that carry no meaning for finding an action. */
const STOP_WORDS = new Set([
  'a',
  'an',
  'the',
  'to',
  'for',
  'of',
  'in',
  'on',
  'at',
  'by',
  'with',
  'from',
  'into',
  'about',
  'and',
  'or',
  'but',
  'is',
  'are',
  'was',
  'be',
  'been',
  'it',
  'its',
  'this',
  'that',
  'these',
  'those',
  'my',
  'our',
  'your',
  'their',
  'his',
  'her',
  'me',
  'us',
  'we',
  'i',
  'you',
  'they',
  'please',
  'can',
  'could',
  'would',
  'should',
  'will',
  'do',
  'does',
  'did',
  'so',
  'some',
  'there',
  'here',
  'up',
  'out',
  'just',
  'via',
  'using',
  'use',
  'need',
  'want',
  'like',
  'also',
  'then',
  'than',
  'as',
  'if',
  'have',
  'has',
  'had',
  'let',
  'lets',
  'tool',
  'action',
  'app',
]);

export function stemWord(word: string): string {
  return stem(word);
}

/** Lowercase words of a text: camelCase, kebab-case and snake_case split; digits kept. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Phrasal verbs said as one meaning (applied to queries and to action texts alike). */
const PHRASES: ReadonlyArray<[RegExp, string]> = [
  [/\bset(ting)? up\b/g, 'setup'],
  [/\blook(ing)? up\b/g, 'lookup'],
  [/\bsign(ing)? up\b/g, 'signup'],
  [/\bcall(ing)? off\b/g, 'cancel'],
  [/\bhand(ing)? (it |this |them )?over\b/g, 'handoff'],
  [/\bwrite down\b/g, 'note'],
  [/\bget back to\b/g, 'reply'],
  [/\bmoney back\b/g, 'refund'],
  [/\bfollow(ing)? up\b/g, 'followup'],
  [/\bclean(ing)? up\b/g, 'delete'],
  [/\bpull request\b/g, 'pr'],
  [/\bto-?do\b/g, 'todo'],
];

function joinPhrases(text: string): string {
  let out = text.toLowerCase();
  for (const [pattern, word] of PHRASES) out = out.replace(pattern, word);
  return out;
}

/** The stems of a text's meaningful words (what the index holds). */
export function terms(text: string): string[] {
  return words(joinPhrases(text))
    .filter((w) => !STOP_WORDS.has(w))
    .map(stemWord);
}

/** Prefix of concept tokens: one per synonym group, indexed beside the words of that group. */
export const CONCEPT_PREFIX = 'zzconcept';

/**
 * stem → the concepts (synonym groups) it belongs to. Indexed next to the word itself and added to
 * queries, so "remove" finds "delete" through their shared concept — one token per meaning, as a
 * search engine's synonym filter does, rather than every synonym of every query word.
 */
const CONCEPTS: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, Set<string>>();
  SYNONYM_GROUPS.forEach((group, i) => {
    for (const s of group.flatMap((w) => terms(w))) {
      const set = map.get(s) ?? new Set<string>();
      set.add(`${CONCEPT_PREFIX}${i}`);
      map.set(s, set);
    }
  });
  return new Map([...map].map(([k, v]) => [k, [...v]]));
})();

export function conceptsOf(stemmed: string): readonly string[] {
  return CONCEPTS.get(stemmed) ?? [];
}

const READ_STEMS = new Set(READ_WORDS.map(stemWord));
const WRITE_STEMS = new Set(WRITE_WORDS.map(stemWord));

/** Whether a query asks to read or to change something (by its words, before stop words are dropped). */
export function intentOf(query: string): 'read' | 'write' | undefined {
  let read = 0;
  let write = 0;
  for (const w of words(query).map(stemWord)) {
    if (READ_STEMS.has(w)) read++;
    if (WRITE_STEMS.has(w)) write++;
  }
  if (read === write) return undefined;
  return read > write ? 'read' : 'write';
}
