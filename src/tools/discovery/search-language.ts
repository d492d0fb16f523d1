import stem from 'wink-porter2-stemmer';

/**
 * The language of SaaS actions, for search: how agents say what tools call otherwise.
 *
 * Two kinds of word groups, written from the vocabulary of SaaS APIs and of everyday requests, not
 * from any evaluation query:
 * - operations (verbs): what an action does — create, send, delete, update, get, list, search…; the
 *   verb an action's key starts with is its operation, and the verb a request leads with is the
 *   operation it asks for;
 * - things (nouns): what an action works on — event/meeting, issue/bug, ticket/case,
 *   contact/lead/person, deal/opportunity…; some broad groups (any work item, any person) link the
 *   narrow ones at a lower weight.
 * Each group becomes one concept token, indexed beside the words it contains.
 */
interface Group {
  words: string[];
  /** How much the group's concept counts against the agent's own word (1). */
  weight: number;
}

const NARROW = 0.6;
const BROAD = 0.3;
const verbs = (...words: string[]): Group => ({ words, weight: NARROW });
const things = (...words: string[]): Group => ({ words, weight: NARROW });
const broad = (...words: string[]): Group => ({ words, weight: BROAD });

/** Operations. The first group a verb belongs to decides whether it reads or writes (see READ_OPERATIONS). */
const OPERATION_GROUPS: readonly Group[] = [
  verbs('get', 'fetch', 'retrieve', 'detail', 'details', 'info'),
  verbs('search', 'find', 'lookup', 'query', 'locate', 'filter', 'seek', 'match', 'hunt', 'discover'),
  verbs('list', 'all', 'every', 'enumerate', 'browse', 'index', 'everything', 'each'),
  verbs('download', 'export', 'backup'),
  // Reading in general: what every reading action does (see READING).
  verbs('show', 'see', 'view', 'look', 'display', 'check', 'inspect', 'pull', 'grab', 'read', 'review'),
  verbs(
    'create',
    'report',
    'begin',
    'put',
    'add',
    'new',
    'make',
    'subscribe',
    'open',
    'start',
    'insert',
    'raise',
    'file',
    'submit',
    'setup',
    'generate',
    'build',
    'compose',
    'draft',
    'enter',
    'kickoff',
    'spinup',
    'log',
    'register',
    'initiate',
    'establish',
    'produce',
    'launch',
    'place',
  ),
  verbs('schedule', 'book', 'plan', 'arrange', 'reserve', 'setup'),
  verbs(
    'send',
    'post',
    'message',
    'notify',
    'dm',
    'deliver',
    'publish',
    'ping',
    'tell',
    'text',
    'broadcast',
    'announce',
    'forward',
    'alert',
    'inform',
    'write',
    'mail',
    'ask',
    'remind',
    'nudge',
    'chase',
  ),
  verbs('reply', 'respond', 'answer', 'writeback', 'accept', 'decline', 'rsvp', 'confirm', 'reject'),
  verbs(
    'delete',
    'remove',
    'erase',
    'destroy',
    'trash',
    'drop',
    'discard',
    'purge',
    'archive',
    'bin',
    'wipe',
    'scrap',
    'junk',
    'kill',
    'nuke',
    'clear',
    'ditch',
    'dump',
    'eliminate',
    'rid',
    'hide',
  ),
  verbs('cancel', 'abort', 'revoke', 'decline', 'terminate', 'stop', 'end', 'unsubscribe', 'void', 'withdraw', 'halt', 'reject', 'dismiss', 'pause', 'suspend'),
  verbs(
    'update',
    'edit',
    'modify',
    'change',
    'rename',
    'patch',
    'amend',
    'adjust',
    'tweak',
    'set',
    'fix',
    'correct',
    'revise',
    'alter',
    'reschedule',
    'replace',
    'overwrite',
    'toggle',
    'move',
    'restore',
    'unarchive',
    'undo',
    'revert',
    'resume',
    'reorder',
    'prioritize',
    'prioritise',
    'upgrade',
    'downgrade',
    'enable',
    'disable',
    'lock',
    'unlock',
  ),
  verbs('assign', 'delegate', 'handoff', 'allocate', 'reassign', 'owner', 'give', 'escalate', 'transfer', 'unassign'),
  verbs('invite', 'include', 'add', 'loop', 'onboard', 'enroll', 'enrol'),
  verbs('upload', 'attach', 'store', 'save', 'put', 'import'),
  verbs('share', 'grant', 'access', 'permission', 'permit', 'collaborator'),
  verbs('copy', 'clone', 'duplicate', 'replicate'),
  verbs('fulfill', 'fulfil', 'ship', 'dispatch', 'deliver', 'shipment', 'fulfillment', 'fulfilment'),
  verbs('log', 'record', 'track', 'worklog', 'timesheet', 'spent', 'hours'),
  verbs('call', 'phone', 'dial', 'ring', 'phoned'),
  verbs('review', 'reviewer', 'approve', 'feedback'),
  verbs('react', 'reaction', 'emoji', 'thumbs'),
  verbs('register', 'registrant', 'signup', 'enroll', 'enrol', 'rsvp'),
  verbs('convert', 'turn', 'transform', 'promote', 'qualify'),
  verbs('merge', 'combine', 'consolidate', 'dedupe', 'duplicate', 'deduplicate'),
  verbs('transition', 'move', 'progress', 'advance', 'stage', 'workflow', 'reopen', 'transfer'),
  verbs('close', 'resolve', 'complete', 'finish', 'done', 'mark', 'solve', 'solved', 'wrapup'),
  verbs('comment', 'note', 'remark', 'annotate', 'followup'),
  verbs('refund', 'reimburse', 'return', 'chargeback'),
  verbs('charge', 'bill', 'invoice', 'pay', 'payment', 'collect'),
  verbs('watch', 'watcher', 'follow', 'subscribe', 'monitor'),
  verbs('link', 'relate', 'connect', 'associate', 'block', 'blocker', 'depend', 'dependency'),
  verbs('adjust', 'increase', 'decrease', 'bump', 'restock', 'replenish', 'inventory', 'stock', 'quantity', 'units'),
  verbs('release', 'version', 'changelog', 'publish'),
  verbs('tag', 'label', 'categorize', 'categorise', 'flag', 'star', 'pin'),
  verbs('join', 'attend', 'showup', 'participant', 'participants', 'attendee', 'attendees'),
];

/** Things actions work on. */
const THING_GROUPS: readonly Group[] = [
  things(
    'event',
    'meeting',
    'appointment',
    'invite',
    'invitation',
    'call',
    'calendar',
    'sync',
    'standup',
    'webinar',
    'session',
    'huddle',
    'conference',
    'catchup',
    'interview',
    'demo',
    'video',
    'retro',
    'retrospective',
    'offsite',
    'onsite',
    'lunch',
    'dinner',
    'breakfast',
    'kickoff',
  ),
  // A day or a time of day in a request almost always means something on a calendar.
  broad(
    'event',
    'monday',
    'tuesday',
    'wednesday',
    'thursday',
    'friday',
    'saturday',
    'sunday',
    'morning',
    'afternoon',
    'evening',
    'tonight',
    'noon',
    'tomorrow',
    'pm',
    'am',
    'clocktime',
    'weekday',
    'weekly',
    'daily',
  ),
  things('issue', 'bug', 'defect', 'story', 'epic', 'subtask', 'crash', 'regression', 'feature', 'error', 'glitch'),
  things('ticket', 'case', 'incident', 'complaint', 'request', 'inquiry', 'enquiry', 'support', 'helpdesk', 'outage'),
  things('task', 'todo', 'chore', 'subtask', 'assignment', 'reminder', 'deliverable'),
  broad('issue', 'ticket', 'bug', 'task', 'case', 'card', 'todo', 'problem', 'story', 'item'),
  things('contact', 'lead', 'person', 'persons', 'people', 'prospect', 'someone', 'individual'),
  things('customer', 'client', 'buyer', 'shopper', 'purchaser', 'consumer', 'subscriber'),
  broad('contact', 'lead', 'person', 'people', 'customer', 'client', 'user', 'member', 'someone', 'who'),
  things('company', 'organization', 'organisation', 'org', 'account', 'business', 'firm', 'enterprise', 'vendor', 'supplier'),
  things('deal', 'opportunity', 'sale', 'pipeline', 'oppty'),
  things('message', 'chat', 'dm', 'post', 'conversation', 'thread', 'text'),
  things('email', 'mail', 'inbox', 'e-mail', 'mailbox'),
  things('draft', 'unsent'),
  things(
    'file',
    'document',
    'doc',
    'attachment',
    'folder',
    'sheet',
    'spreadsheet',
    'pdf',
    'report',
    'contract',
    'image',
    'photo',
    'logo',
    'png',
    'jpg',
    'csv',
    'deck',
    'slide',
    'presentation',
    'screenshot',
    'mockup',
    'mockups',
    'asset',
    'assets',
  ),
  things(
    'user',
    'member',
    'teammate',
    'employee',
    'colleague',
    'agent',
    'owner',
    'assignee',
    'staff',
    'admin',
    'everyone',
    'people',
    'folks',
    'hire',
    'coworker',
    'coworkers',
  ),
  things('channel', 'room', 'group', 'space'),
  things('team', 'squad', 'department', 'group'),
  things('repository', 'repo', 'codebase', 'code', 'source'),
  things('pull', 'pr', 'merge'),
  things('commit', 'change', 'changes', 'history', 'revision'),
  things('branch', 'fork'),
  things('page', 'wiki', 'note', 'notes', 'doc', 'minutes', 'writeup', 'article'),
  things('database', 'table', 'schema', 'column', 'columns', 'field', 'fields', 'property', 'properties'),
  things('record', 'row', 'rows', 'entry', 'entries'),
  things('project', 'initiative', 'program', 'programme'),
  things('order', 'purchase', 'checkout', 'sell', 'sold'),
  things('product', 'item', 'sku', 'listing', 'merchandise', 'goods', 'catalog', 'catalogue', 'variant', 'variants'),
  things('subscription', 'subscribe', 'plan', 'membership', 'tier', 'recurring'),
  things('card', 'board', 'column', 'kanban'),
  things('status', 'state', 'presence', 'away', 'ooo', 'vacation', 'holiday', 'pto'),
  things('label', 'tag', 'category'),
  things('recording', 'video', 'transcript', 'replay', 'recorded'),
  things('today', 'tomorrow', 'week', 'date', 'time', 'when', 'slot', 'available', 'availability', 'free', 'busy'),
  things('invoice', 'bill', 'receipt', 'statement', 'unpaid', 'overdue', 'outstanding', 'owed'),
  things('payment', 'charge', 'transaction', 'paid', 'money', 'revenue', 'income'),
  things('balance', 'funds', 'money', 'cash'),
  things('discount', 'coupon', 'promo', 'voucher'),
  things('comment', 'note', 'remark', 'reply', 'feedback'),
  things('owner', 'rep', 'salesperson'),
];

/**
 * What well-known apps are for, in the words agents use instead of the app's name ("the shop", "in
 * chat", "our CRM", "the wiki"): a weak hint, indexed with every action of the app.
 */
const APP_DOMAINS: Record<string, string> = {
  gmail: 'email mail inbox',
  outlook: 'email mail inbox calendar',
  'google-calendar': 'calendar',
  'google-drive': 'drive storage files cloud',
  'google-docs': 'docs documents writing',
  'google-sheets': 'spreadsheet sheets table',
  dropbox: 'storage files cloud',
  box: 'storage files cloud',
  onedrive: 'storage files cloud',
  slack: 'chat messaging workspace',
  'microsoft-teams': 'chat messaging',
  discord: 'chat messaging community',
  whatsapp: 'chat messaging text',
  twilio: 'sms text phone',
  hubspot: 'crm marketing sales',
  salesforce: 'crm sales',
  pipedrive: 'crm sales',
  zoho: 'crm sales',
  jira: 'tracker backlog sprint engineering',
  linear: 'tracker backlog sprint engineering',
  github: 'code git repository engineering',
  gitlab: 'code git repository engineering',
  bitbucket: 'code git repository engineering',
  asana: 'project tasks work',
  trello: 'kanban boards project',
  monday: 'project boards work',
  clickup: 'project tasks work',
  notion: 'wiki docs notes knowledge',
  confluence: 'wiki docs knowledge',
  airtable: 'database table spreadsheet',
  zendesk: 'support helpdesk service',
  intercom: 'support helpdesk messaging inbox',
  freshdesk: 'support helpdesk service',
  shopify: 'shop store ecommerce storefront',
  woocommerce: 'shop store ecommerce storefront',
  stripe: 'payments billing',
  quickbooks: 'accounting bookkeeping finance',
  xero: 'accounting bookkeeping finance',
  mailchimp: 'newsletter marketing campaign email',
  zoom: 'video conferencing meetings',
  calendly: 'scheduling booking calendar',
  docusign: 'signature esign agreement',
  typeform: 'forms survey',
  pagerduty: 'incident oncall alert',
};

/** The words of what a well-known app is for (empty for others). */
export function appDomainOf(appKey: string): string {
  return APP_DOMAINS[appKey] ?? '';
}

/**
 * Operations that come close to others (by the first word of each group): cancelling a meeting
 * deletes it, scheduling creates, moving an issue along updates it… An action doing a close
 * operation counts between one doing the asked one and one doing another.
 */
const CLOSE_OPERATIONS: Record<string, string[]> = {
  schedule: ['create'],
  cancel: ['delete', 'close', 'update'],
  delete: ['cancel'],
  close: ['update', 'transition', 'cancel'],
  transition: ['update', 'close'],
  update: ['transition', 'close', 'adjust', 'assign', 'tag'],
  reply: ['send', 'comment'],
  comment: ['reply', 'send'],
  send: ['reply', 'comment'],
  invite: ['create', 'share', 'register'],
  register: ['invite', 'create'],
  share: ['invite', 'send'],
  upload: ['create'],
  assign: ['update'],
  log: ['create', 'comment'],
  call: ['log'],
  tag: ['update'],
  adjust: ['update'],
  merge: ['update'],
  convert: ['update'],
  copy: ['create'],
  download: ['get'],
};

/** Operations that only read: get (one thing), search and list (many), download. */
const READ_OPERATIONS = new Set([0, 1, 2, 3, 4]);
const ONE_OPERATIONS = new Set([0]);
const MANY_OPERATIONS = new Set([1, 2]);

/** Words that say "read" (an agent looking something up) beyond the read operations: questions. */
const QUESTION_WORDS = new Set([
  'what',
  'which',
  'who',
  'whom',
  'whose',
  'how',
  'when',
  'where',
  'any',
  'many',
  'much',
  'latest',
  'recent',
  'status',
  'is',
  'are',
  'was',
  'were',
  'did',
  'does',
  'has',
  'have',
]);

/** Words that carry no meaning for finding an action. */
const STOP_WORDS = new Set(
  (
    'a an the to for of in on at by with from into onto about and or but is are was were be been being it its this that these those ' +
    'my our your their his her me us we i you they them he she please can could would should will shall do does did so some there here ' +
    'up out just via using use need needs want wants like also then than as if have has had let lets tool action app actually really ' +
    'quickly now again already yet still ever anymore go ahead kindly thanks thank m s t re ve ll d ' +
    'im ive id youre weve were theyre dont doesnt didnt isnt arent wasnt cant couldnt wont wouldnt whats thats theres'
  ).split(' '),
);

/** Irregular verb forms agents write, to the form the stemmer knows. */
const IRREGULAR: Record<string, string> = {
  said: 'say',
  sent: 'send',
  wrote: 'write',
  written: 'write',
  got: 'get',
  gotten: 'get',
  made: 'make',
  took: 'take',
  taken: 'take',
  gave: 'give',
  given: 'give',
  told: 'tell',
  bought: 'buy',
  paid: 'pay',
  met: 'meet',
  ran: 'run',
  brought: 'bring',
  kept: 'keep',
  began: 'begin',
  begun: 'begin',
  chose: 'choose',
  chosen: 'choose',
  went: 'go',
  gone: 'go',
  saw: 'see',
  seen: 'see',
  found: 'find',
  held: 'hold',
  spoke: 'speak',
  spoken: 'speak',
  sold: 'sell',
  shown: 'show',
  knew: 'know',
  known: 'know',
  built: 'build',
  spent: 'spend',
  won: 'win',
  lost: 'lose',
  drew: 'draw',
  drawn: 'draw',
  forgot: 'forget',
  forgotten: 'forget',
  did: 'do',
  done: 'done',
};

/** Words the stemmer would give another word's stem ("customer" and "custom", "busy" and "business"). */
const OWN_STEMS: Record<string, string> = {
  customer: 'customer',
  customers: 'customer',
  business: 'business',
  businesses: 'business',
  organization: 'organization',
  organizations: 'organization',
  organisation: 'organization',
  organisations: 'organization',
  organizer: 'organizer',
  recording: 'recording',
  recordings: 'recording',
  personal: 'personal',
  initial: 'initial',
};

/**
 * Bounds on the work one query costs, whatever a client sends: the stemmer is quadratic in a
 * word's length, so every word is cut before it is stemmed, and only the first terms of a query count.
 */
export const MAX_TERM_LENGTH = 32;
export const MAX_QUERY_TERMS = 32;
export const MAX_QUERY_LENGTH = 1000;

export function stemWord(word: string): string {
  const w = word.length > MAX_TERM_LENGTH ? word.slice(0, MAX_TERM_LENGTH) : word;
  return OWN_STEMS[w] ?? stem(IRREGULAR[w] ?? w);
}

/** Lowercase words of a text: camelCase, kebab-case and snake_case split; digits kept. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((w) => (w.length > MAX_TERM_LENGTH ? w.slice(0, MAX_TERM_LENGTH) : w));
}

/** Phrasal verbs and idioms said as one meaning (applied to queries and to action texts alike). */
const PHRASES: ReadonlyArray<[RegExp, string]> = [
  // A #channel, an @mention and a clock time say what they are.
  [/(^|\s)#[\w-]+/g, '$1channel'],
  [/(^|\s)@\w+/g, '$1user'],
  [/\b\d{1,2}(?::\d{2})?(?:\s?-\s?\d{1,2}(?::\d{2})?)?\s?(?:am|pm)\b/g, 'clocktime'],
  [/\bat \d{1,2}(?::\d{2})?\b/g, 'at clocktime'],
  [/\bset(ting|s)? up\b/g, 'setup'],
  [/\blook(ing|s|ed)? up\b/g, 'lookup'],
  [/\bsign(ing|s|ed)? (\w+ )?up\b/g, 'signup'],
  [/\bcall(ing|s|ed)? off\b/g, 'cancel'],
  [/\bhand(?:ing|s|ed)? ((?:\w+ ){0,3})(?:over|off)\b/g, 'handoff $1'],
  [/\b(write|jot|put|note)s? (it )?down\b/g, 'note'],
  [/\bget(ting)? back to\b/g, 'reply'],
  [/\bmoney back\b/g, 'refund'],
  [/\bfollow(ing|s|ed)? up\b/g, 'followup'],
  [/\bclean(ing|s|ed)? up\b/g, 'delete'],
  [/\bget(ting)? rid of\b/g, 'delete'],
  [/\b(?:take|takes|taking|took) ((?:\w+ ){0,3})(?:off|out of)\b/g, 'remove $1 from'],
  // What follows "let … know" is what to say.
  [/\blet ((?:\w+ ){0,3})know\b/g, 'notify $1 that'],
  [/\bkeep (\w+ ){0,2}(posted|updated|informed|in the loop)\b/g, 'watch'],
  [/\bloop(ing|s|ed)? in\b/g, 'invite'],
  [/\bshow(ing|s|ed)? up\b/g, 'showup'],
  [/\bkick(ing|s|ed)? off\b/g, 'kickoff'],
  [/\bspin(ning|s)? up\b/g, 'spinup'],
  [/\bwrap(ping|s|ped)? up\b/g, 'wrapup'],
  [/\bpush(?:ing|es|ed)? ((?:\w+ ){0,3})(?:back|out)\b/g, 'reschedule $1'],
  [/\bmov(?:e|es|ing|ed) ((?:\w+ ){0,3})(?:up|back)\b/g, 'reschedule $1'],
  [/\bpull(ing|s|ed)? up\b/g, 'show'],
  [/\bbring(ing|s)? up\b/g, 'show'],
  [/\btell me\b/g, 'show'],
  [/\bout of (the )?office\b/g, 'away'],
  [/\bpull request\b/g, 'pr'],
  [/\bmerge request\b/g, 'pr'],
  [/\bto-?dos?\b/g, 'todo'],
  [/\bsign(ing|s|ed)? off on\b/g, 'approve'],
  [/\bfill(ing|s|ed)? (in|out)\b/g, 'update'],
  [/\b(?:edit|view|read|write|admin|comment) (?:rights|access|permissions?)\b/g, 'permission'],
  [/\b(?:get|put|pop|stick)(?:s|ting)? ((?:\w+ ){0,5})on (?:the|my|our|his|her|their|everyone's)? ?(?:books|calendars?|schedule|agenda)\b/g, 'schedule $1'],
  [/\b(?:break|split)(?:s|ing)? ((?:\w+ ){0,4})(?:down|up|into (?:smaller )?(?:pieces|parts|steps|subtasks))\b/g, 'create subtasks of $1'],
  [/\bdrop(?:ping|s|ped)? ((?:\w+ ){0,2})(?:a )?(?:line|note)\b/g, 'send $1message'],
  [/\breach(?:ing|es|ed)? out to\b/g, 'message'],
  [/\b(?:throw|throws|throwing|threw|toss|tosses|tossed) ((?:\w+ ){0,6})(?:away|out)\b/g, 'discard $1'],
  [/\bblock(?:ing|s|ed)? (?:out|off)\b/g, 'schedule'],
  [/\bbring(?:ing|s)? ((?:\w+ ){0,3})(?:into|in on)\b/g, 'invite $1 to'],
  [/\bcheck(?:ing|s|ed)? ((?:it|this|that|them) )?off\b/g, 'complete'],
];

export function joinPhrases(text: string): string {
  // Possessives go ("the team's standup"), contractions become one word ("don't" → "dont").
  let out = text
    .toLowerCase()
    .replace(/(\w)['’]s\b/g, '$1')
    .replace(/(\w)['’](\w)/g, '$1$2');
  for (const [pattern, word] of PHRASES) out = out.replace(pattern, word);
  return out;
}

/** The stems of a text's meaningful words (what the index holds). */
export function terms(text: string, max = Infinity): string[] {
  return words(joinPhrases(text))
    .filter((w) => !STOP_WORDS.has(w))
    .slice(0, max)
    .map(stemWord);
}

/** Prefix of concept tokens: one per word group, indexed beside the words of that group. */
export const CONCEPT_PREFIX = 'zzconcept';

/** The concept of reading in general ("show", "see", "check"), which every reading action has. */
export const READING = `${CONCEPT_PREFIX}o4`;

interface Concepts {
  /** stem → concept tokens of every group it belongs to. */
  all: Map<string, string[]>;
  /** stem → concept tokens of the operation groups it belongs to. */
  operations: Map<string, string[]>;
  /** concept token → weight. */
  weights: Map<string, number>;
  /** Operation concept tokens that only read. */
  reading: Set<string>;
  /** Reading operations on one thing (get) and on many (list, search). */
  one: Set<string>;
  many: Set<string>;
  /** Stems that are a thing (a noun) as well as, or instead of, an operation. */
  thingStems: Set<string>;
  /** Operation concept → the operations close to it. */
  close: Map<string, Set<string>>;
}

/**
 * stem → the concepts (word groups) it belongs to. Indexed next to the word itself and added to
 * queries, so "remove" finds "delete" through their shared concept — one token per meaning, as a
 * search engine's synonym filter does, rather than every synonym of every query word.
 */
const CONCEPTS: Concepts = (() => {
  const all = new Map<string, string[]>();
  const operations = new Map<string, string[]>();
  const weights = new Map<string, number>();
  const reading = new Set<string>();
  const one = new Set<string>();
  const many = new Set<string>();
  const thingStems = new Set<string>();
  const add = (map: Map<string, string[]>, s: string, c: string) => {
    const list = map.get(s) ?? [];
    if (!list.includes(c)) list.push(c);
    map.set(s, list);
  };
  OPERATION_GROUPS.forEach((group, i) => {
    const token = `${CONCEPT_PREFIX}o${i}`;
    weights.set(token, group.weight);
    if (READ_OPERATIONS.has(i)) reading.add(token);
    if (ONE_OPERATIONS.has(i)) one.add(token);
    if (MANY_OPERATIONS.has(i)) many.add(token);
    for (const s of group.words.flatMap((w) => terms(w))) {
      add(all, s, token);
      add(operations, s, token);
    }
  });
  THING_GROUPS.forEach((group, i) => {
    const token = `${CONCEPT_PREFIX}t${i}`;
    weights.set(token, group.weight);
    for (const s of group.words.flatMap((w) => terms(w))) {
      add(all, s, token);
      thingStems.add(s);
    }
  });
  const close = new Map<string, Set<string>>();
  const tokenOf = (first: string) => {
    const i = OPERATION_GROUPS.findIndex((g) => g.words[0] === first);
    if (i === -1) throw new Error(`CLOSE_OPERATIONS names no operation group: ${first}`);
    return `${CONCEPT_PREFIX}o${i}`;
  };
  for (const [from, to] of Object.entries(CLOSE_OPERATIONS)) close.set(tokenOf(from), new Set(to.map(tokenOf)));
  return { all, operations, weights, reading, one, many, thingStems, close };
})();

export function conceptsOf(stemmed: string): readonly string[] {
  return CONCEPTS.all.get(stemmed) ?? [];
}

/** The operation concepts a stem expresses (empty when it is no verb of SaaS actions). */
export function operationsOf(stemmed: string): readonly string[] {
  return CONCEPTS.operations.get(stemmed) ?? [];
}

/** How much a concept counts against the agent's own word. */
export function conceptWeight(concept: string): number {
  return CONCEPTS.weights.get(concept) ?? NARROW;
}

/** Whether a concept is an operation (not a thing). */
export function isOperation(concept: string): boolean {
  return concept.startsWith(`${CONCEPT_PREFIX}o`);
}

/** Whether a reading operation works on one thing (get), many (list, search), or neither. */
export function numberOfOperation(concept: string): 'one' | 'many' | undefined {
  return CONCEPTS.one.has(concept) ? 'one' : CONCEPTS.many.has(concept) ? 'many' : undefined;
}

/** The operations close to an operation concept (CLOSE_OPERATIONS). */
export function closeOperationsOf(concept: string): ReadonlySet<string> {
  return CONCEPTS.close.get(concept) ?? new Set();
}

/** Whether an operation concept only reads. */
export function isReadingOperation(concept: string): boolean {
  return CONCEPTS.reading.has(concept);
}

/** A query word with how much it counts: the request itself counts fully, what it carries less. */
export interface QueryTerm {
  stem: string;
  weight: number;
}

export interface QueryAnalysis {
  terms: QueryTerm[];
  /** The operation the request leads with (stem), when it names one. */
  verb?: string;
  /** Whether it asks to read or to change something. */
  intent?: 'read' | 'write';
  /** Whether the thing it is about is one ("the deal") or many ("the orders"). */
  number?: 'one' | 'many';
}

/** Words before the verb of a request that say nothing of it. */
const POLITE =
  /^\s*(?:(?:please|pls|kindly|can you|could you|would you|will you|i need to|we need to|i want to|we want to|i'd like to|i would like to|help me|go ahead and|also|now|just|and|quickly|let's|lets)\s+)+/;
/** A clause that starts with one of these tells what someone did or is, not what to do. */
const SUBJECTS = new Set(['i', 'we', 'they', 'he', 'she', 'it', 'you', 'someone', 'somebody', 'everyone', 'nobody']);

/** What a message, comment or note says, a title or a reason: the payload, not the request. */
const PAYLOAD_MARKERS =
  /(?::\s|\s[-–—]\s|(?:^|\s)["“'‘]|\b(?:that|saying|says|about|regarding|because|since|so that|to say|called|named|titled|entitled|whether)\b)/;
/** A negated clause asks for the opposite ("draft it but don't send it"). */
const NEGATION = /\b(?:don'?t|do not|doesn'?t|does not|didn'?t|did not|never|without|instead of|not)\b[^,.;:!?()]*/g;
/** How much the request's verb counts as the thing it also names. */
export const AMBIGUOUS_VERB_WEIGHT = 0.5;
/** How much a word counts that says whose the thing is. */
export const OWNER_WEIGHT = 0.5;
/** How much a payload word counts. */
export const PAYLOAD_WEIGHT = 0.25;

/**
 * A request as the ranking reads it: phrasal verbs joined, negated clauses dropped, the words of
 * the payload (after "that", "about", ":", a quote…) down-weighted, and the operation it leads
 * with — its first word when that is a verb of SaaS actions, else its first word that can only be
 * a verb; a question reads.
 */
export function analyzeQuery(text: string): QueryAnalysis {
  text = text.slice(0, MAX_QUERY_LENGTH);
  const joined = joinPhrases(text).replace(NEGATION, ' ');
  let head = joined;
  let payload = '';
  const marker = PAYLOAD_MARKERS.exec(joined);
  if (marker && marker.index > 0) {
    const before = joined.slice(0, marker.index);
    // Only when the request before the marker says something of its own.
    if (words(before).some((w) => !STOP_WORDS.has(w))) {
      head = before;
      payload = joined.slice(marker.index + marker[0].length);
    }
  }
  const headWords = words(head)
    .filter((w) => !STOP_WORDS.has(w))
    .slice(0, MAX_QUERY_TERMS);
  const headStems = headWords.map(stemWord);
  // Whose thing it is ("the team's standup") says less than the thing.
  const owners = new Set(
    [
      ...text
        .slice(0, 1000)
        .toLowerCase()
        .matchAll(/\b(\w{1,40})['’]s\b/g),
    ].map((m) => stemWord(m[1])),
  );
  const out = new Map<string, number>();
  for (const s of headStems.slice(0, MAX_QUERY_TERMS)) out.set(s, owners.has(s) ? OWNER_WEIGHT : 1);
  for (const w of words(payload)) {
    if (out.size >= MAX_QUERY_TERMS) break;
    if (STOP_WORDS.has(w)) continue;
    const s = stemWord(w);
    if (!out.has(s)) out.set(s, PAYLOAD_WEIGHT);
  }
  // The verb a clause of the request starts with (after "please", "can you"…), else the first word
  // that can only be a verb, outside clauses telling what someone did ("we got 30 more…").
  const clauses = head.split(/[,;.!?()]+|\bthen\b/).map((c) => words(c.replace(POLITE, ' ')));
  let verb: string | undefined;
  let imperative = false;
  for (const ws of clauses) {
    const w = ws[0];
    if (w === undefined || STOP_WORDS.has(w) || !operationsOf(stemWord(w)).length) continue;
    verb = stemWord(w);
    imperative = true;
    break;
  }
  if (verb === undefined) {
    for (const ws of clauses) {
      if (SUBJECTS.has(ws[0] ?? '')) continue;
      verb = ws
        .filter((w) => !STOP_WORDS.has(w))
        .map(stemWord)
        .find((s) => operationsOf(s).length && !CONCEPTS.thingStems.has(s));
      if (verb !== undefined) break;
    }
  }
  // A request's verb that is also a thing ("file a bug", "book a room") counts less as that thing.
  if (verb !== undefined && imperative && CONCEPTS.thingStems.has(verb) && out.get(verb) === 1) out.set(verb, AMBIGUOUS_VERB_WEIGHT);
  // A question (its first word, or its second after an app's name: "gcal what is on tomorrow").
  const question = words(text)
    .slice(0, 2)
    .some((w) => QUESTION_WORDS.has(w));
  let intent: 'read' | 'write' | undefined;
  if (verb !== undefined && (imperative || !question)) {
    intent = operationsOf(verb).some((c) => CONCEPTS.reading.has(c)) ? 'read' : 'write';
  } else if (question) {
    intent = 'read';
  }
  // The number of the first thing the request names after its verb.
  const thing = headWords.find((w) => CONCEPTS.thingStems.has(stemWord(w)) && stemWord(w) !== verb && !operationsOf(stemWord(w)).length);
  const number = thing === undefined ? undefined : /[^s]s$/.test(thing) && stemWord(thing) !== thing ? 'many' : 'one';
  return { terms: [...out].map(([stem, weight]) => ({ stem, weight })), verb, intent, number };
}

/** Whether a query asks to read or to change something. */
export function intentOf(query: string): 'read' | 'write' | undefined {
  return analyzeQuery(query).intent;
}
