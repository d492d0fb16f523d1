import { annotationsFor } from '../../integrations/tool-annotations';
import type { SourceTool } from '../tool-source';
import { ActionSearchIndex, appInitials, DEFAULT_WEIGHTS } from './action-search';

const APPS: Record<string, string> = {
  gmail: 'Gmail',
  slack: 'Slack',
  hubspot: 'HubSpot',
  'google-calendar': 'Google Calendar',
  'google-drive': 'Google Drive',
  okta: 'Okta',
  docusign: 'DocuSign',
  shopify: 'Shopify',
  stripe: 'Stripe',
  jira: 'Jira',
};

function tool(app: string, key: string, name: string, description = '', props: string[] = []): SourceTool {
  const title = `${APPS[app]}: ${name}`;
  return {
    app,
    definition: {
      name: `${app}_${key}`,
      title,
      description,
      inputSchema: { type: 'object', properties: Object.fromEntries(props.map((p) => [p, { type: 'string' }])) },
      annotations: annotationsFor(title, key, name),
    },
  };
}

/** A tool of an app whose display name is not in APPS (no input fields). */
function named(app: string, appTitle: string, key: string, name: string, description: string): SourceTool {
  const title = `${appTitle}: ${name}`;
  return {
    app,
    definition: { name: `${app}_${key}`, title, description, inputSchema: { type: 'object', properties: {} }, annotations: annotationsFor(title, key, name) },
  };
}

/** The apps of the first ten hits, in order of first appearance. */
function appsFound(index: ActionSearchIndex, query: string): Array<string | undefined> {
  return [...new Set(index.query(query, { limit: 10 }).hits.map((h) => h.tool.app))];
}

const TOOLS: SourceTool[] = [
  tool('gmail', 'send-email', 'Send Email', 'Sends an email message.', ['to', 'subject', 'body']),
  tool('gmail', 'list-emails', 'List Emails', 'Lists messages in the mailbox.'),
  tool('gmail', 'create-draft', 'Create Draft', 'Creates a draft message that can be sent later.', ['to', 'subject', 'body']),
  tool('slack', 'send-message', 'Send Message', 'Posts a message to a channel.', ['channel', 'text']),
  tool('slack', 'list-channels', 'List Channels', 'Lists channels.'),
  tool('slack', 'set-user-status', 'Set User Status', '', ['statusText']),
  tool('hubspot', 'create-contact', 'Create Contact', 'Creates a contact.', ['email', 'firstName']),
  tool('hubspot', 'delete-contact', 'Delete Contact', 'Archives a contact.', ['contactId']),
  tool('hubspot', 'get-contact', 'Get Contact', 'Reads a contact by ID.', ['contactId']),
  tool('hubspot', 'list-contacts', 'List Contacts', 'Returns a page of contacts.'),
  tool('google-calendar', 'create-event', 'Create Event', 'Creates an event on a calendar.', ['summary', 'start', 'end']),
  tool('google-calendar', 'delete-event', 'Delete Event', 'Deletes an event.', ['eventId']),
  tool('google-calendar', 'list-events', 'List Events', 'Returns events on a calendar.'),
  tool('google-drive', 'upload-file', 'Upload File', 'Uploads a file to Drive.', ['name', 'content']),
  tool('google-drive', 'download-file', 'Download File', 'Downloads the content of a file.', ['fileId']),
  tool('google-drive', 'list-files', 'List Files', "Lists the user's files."),
  tool('shopify', 'create-customer', 'Create Customer', 'Creates a customer.', ['email']),
  tool('shopify', 'list-orders', 'List Orders', 'Retrieves a list of orders.'),
  tool('shopify', 'get-order', 'Get Order', 'Retrieves a specific order.', ['orderId']),
  tool('stripe', 'create-customer', 'Create a Customer', 'Creates a new customer object.', ['email']),
  tool('stripe', 'create-refund', 'Create a Refund', 'Refunds a charge.', ['chargeId']),
  tool('jira', 'create-issue', 'Create Issue', 'Creates an issue in a project.', ['summary']),
  tool('jira', 'add-worklog', 'Add Worklog', 'Adds a worklog entry to an issue.', ['timeSpent']),
  tool('jira', 'add-watcher', 'Add Watcher', 'Adds a user as a watcher of an issue.', ['accountId']),
];

describe('ActionSearchIndex', () => {
  const index = new ActionSearchIndex(TOOLS);
  const names = (query: string, apps?: string[], limit = 5) => index.query(query, { apps, limit }).hits.map((h) => h.tool.definition.name);

  it('ranks by meaning: synonyms, phrasal verbs, the operation asked for', () => {
    expect(names('post a note to the team channel')[0]).toBe('slack_send-message');
    expect(names('get rid of the duplicate person in hubspot')[0]).toBe('hubspot_delete-contact');
    expect(names('put a meeting on my calendar for Thursday')[0]).toBe('google-calendar_create-event');
    expect(names('take the sync off my calendar')[0]).toBe('google-calendar_delete-event');
    expect(names('refund the buyer')[0]).toBe('stripe_create-refund');
    // "add a worklog" logs: a generic verb takes the meaning of what the key names.
    expect(names('log two hours on PROJ-12')[0]).toBe('jira_add-worklog');
    expect(names('watch PROJ-88 for me')[0]).toBe('jira_add-watcher');
    // Close operations: scheduling creates, cancelling deletes.
    expect(names('schedule Friday 2-4pm for deep work')[0]).toBe('google-calendar_create-event');
    expect(names('cancel the Thursday sync')[0]).toBe('google-calendar_delete-event');
  });

  it('reads the request, not its payload or what it says not to do', () => {
    expect(names('tell the team in slack that the email outage is over')[0]).toBe('slack_send-message');
    expect(names("draft an email to the landlord but don't send it yet")[0]).toBe('gmail_create-draft');
    // (Not "file a bug: …": the plain BM25 reads "file" as written, and on this 24-action catalog
    // Drive's upload-file then comes first.)
    expect(names('report a bug: the upload page crashes')[0]).toBe('jira_create-issue');
  });

  it('reads a question by what it asks: the verbs in it say what happened ("which contacts were deleted")', () => {
    expect(names('which contacts were deleted in hubspot')[0]).toBe('hubspot_list-contacts');
    expect(names('which contacts did we remove')[0]).toBe('hubspot_list-contacts');
  });

  it('adds a plain BM25 score (the words as written) with its weight, and builds it only when that weight is not 0', () => {
    const catalog = [
      ...TOOLS,
      tool('okta', 'list-applications', 'List Applications', 'Lists the applications of the org.'),
      tool('docusign', 'list-signing-groups', 'List Signing Groups', 'Lists signing groups.'),
    ];
    // (Round 4's glosses and key coverage off, to see the plain BM25 alone.)
    const without = new ActionSearchIndex(catalog, { ...DEFAULT_WEIGHTS, plain: 0, gloss: 0, coverage: 0 });
    const withPlain = new ActionSearchIndex(catalog, { ...DEFAULT_WEIGHTS, plain: 0.35, gloss: 0, coverage: 0 });
    expect(without.hasPlain).toBe(false);
    expect(withPlain.hasPlain).toBe(true);
    const first = (index: ActionSearchIndex) => index.query('list the applications in single sign-on', { limit: 2 }).hits[0].tool.definition.name;
    // Stems and concepts alone put "signing groups" first ("sign"); the exact word "applications",
    // in one action only, puts that one first when the plain BM25 counts.
    expect(first(without)).toBe('docusign_list-signing-groups');
    expect(first(withPlain)).toBe('okta_list-applications');
    // The default weights use it.
    expect(DEFAULT_WEIGHTS.plain).toBeGreaterThan(0);
    expect(new ActionSearchIndex(catalog).hasPlain).toBe(true);
  });

  it('gives the best hit score 1 and the others relative scores, best first', () => {
    const { hits, total } = index.query('send an email', { limit: 3 });
    expect(hits[0]).toMatchObject({ score: 1 });
    expect(hits[0].tool.definition.name).toBe('gmail_send-email');
    for (let i = 1; i < hits.length; i++) expect(hits[i].score).toBeLessThanOrEqual(hits[i - 1].score);
    expect(hits).toHaveLength(3);
    expect(total).toBeGreaterThanOrEqual(3);
  });

  it('favours reading or writing actions by the intent, get for one thing and list for many', () => {
    expect(names('show me the shop orders')[0]).toBe('shopify_list-orders');
    expect(names('show me order 1182')[0]).toBe('shopify_get-order');
    expect(names('which contacts do we have in hubspot')[0]).toBe('hubspot_list-contacts');
    expect(names('add a contact to hubspot')[0]).toBe('hubspot_create-contact');
  });

  it('narrows to the apps the query names, their other actions after the matches', () => {
    expect(names('create a customer in stripe', undefined, 10).every((n) => n.startsWith('stripe_'))).toBe(true);
    expect(names('gcal what is on tomorrow')[0]).toBe('google-calendar_list-events');
    expect(names('g cal: create an event', undefined, 10).every((n) => n.startsWith('google-calendar_'))).toBe(true);
    // Nothing in the app matches the other words: the app's actions still come, not another app's.
    const drive = names('grab the signed NDA from google drive', undefined, 10);
    expect(drive.length).toBe(3);
    expect(drive.every((n) => n.startsWith('google-drive_'))).toBe(true);
    // A query that only names an app lists that app's actions.
    expect(names('slack', undefined, 10).sort()).toEqual(['slack_list-channels', 'slack_send-message', 'slack_set-user-status']);
  });

  it('keeps to the apps option, even when the query names another app', () => {
    expect(names('send', ['slack'])).toEqual(['slack_send-message']);
    expect(names('send a gmail email', ['slack']).every((n) => n.startsWith('slack_'))).toBe(true);
  });

  it("takes what well-known apps are for as a hint: 'the shop', 'in chat'", () => {
    expect(names('register a buyer in the shop')[0]).toBe('shopify_create-customer');
    expect(names("I'm out of office, set that as my status in chat")[0]).toBe('slack_set-user-status');
  });

  it('answers an empty or meaningless query with no hits, and bounds long queries', () => {
    expect(index.query('', { limit: 5 }).hits.length).toBe(TOOLS.length > 5 ? 5 : TOOLS.length);
    expect(index.query('zzzz qqqq', { limit: 5 }).hits).toEqual([]);
    expect(() => index.query('send '.repeat(5000), { limit: 5 })).not.toThrow();
  });
});

describe('ActionSearchIndex: app names that are ordinary words', () => {
  const index = new ActionSearchIndex([
    named('box', 'Box', 'list-files', 'List Files', 'Lists files in a folder.'),
    named('box', 'Box', 'create-user', 'Create User', 'Creates a user.'),
    named('squareup', 'Square', 'get-order', 'Get Order', 'Retrieves an order.'),
    named('shopify', 'Shopify', 'get-order', 'Get Order', 'Retrieves an order.'),
    named('shopify', 'Shopify', 'list-inventory-levels', 'List Inventory Levels', 'Lists inventory levels at a location.'),
    named('zoho-books', 'Zoho Books', 'list-invoices', 'List Invoices', 'Lists invoices.'),
    named('zoho-books', 'Zoho Books', 'create-expense', 'Create Expense', 'Creates an expense.'),
    named('zoho-books', 'Zoho Books', 'get-expense', 'Get Expense', 'Retrieves an expense.'),
    named('xero', 'Xero', 'list-invoices', 'List Invoices', 'Lists invoices.'),
  ]);
  const apps = (query: string) => appsFound(index, query);

  it('counts them as the app in context: a preposition, a capital, a colon, first before a verb', () => {
    expect(apps('list the files in box')).toEqual(['box']);
    expect(apps('create a user in Box')).toEqual(['box']);
    expect(apps('Box: create a user')).toEqual(['box']);
    expect(apps('on square, show order 77')).toEqual(['squareup']);
    expect(apps('box list the files')).toEqual(['box']);
  });

  it('does not narrow to them when they are plain words', () => {
    expect(apps('tick the box: list the inventory levels')[0]).toBe('shopify');
    expect(apps('square the books and show order 77')).toEqual(expect.arrayContaining(['shopify', 'squareup']));
  });

  it("does not read a word of the app's name as the request's verb (Books of Zoho Books: to book)", () => {
    expect(index.query('Zoho Books: show the expense EXP-88', { limit: 3 }).hits[0].tool.definition.name).toBe('zoho-books_get-expense');
  });

  it("recognizes a vendor's own word for an app (the key's first word, when no other app starts with it)", () => {
    expect(apps('list invoices in zoho')).toEqual(['zoho-books']);
  });
});

describe('ActionSearchIndex: app initials', () => {
  const index = new ActionSearchIndex([
    named('google-bigquery', 'Google BigQuery', 'insert-rows', 'Insert Rows', 'Inserts rows into a table.'),
    named('airtable', 'Airtable', 'create-records', 'Create Records', 'Inserts rows (records) into a table.'),
    named('digital-ocean', 'DigitalOcean', 'list-droplets', 'List Droplets', 'Lists droplets.'),
    named('linode', 'Linode', 'list-instances', 'List Instances', 'Lists instances.'),
    named('help-scout', 'Help Scout', 'find-conversation', 'Find Conversation', 'Finds a conversation.'),
    named('hubspot', 'HubSpot', 'get-conversation', 'Get Conversation', 'Gets a conversation thread.'),
    named('front', 'Front', 'find-conversation', 'Find Conversation', 'Finds a conversation.'),
  ]);
  const apps = (query: string) => appsFound(index, query);

  it('derives them from the name, joined words counted by their capitals, a web address ending left out', () => {
    expect(appInitials('Google BigQuery')).toEqual(['gbq', 'bq']);
    expect(appInitials('DigitalOcean')).toEqual(['do']);
    expect(appInitials('QuickBooks Online')).toEqual(['qbo']);
    expect(appInitials('monday.com')).toEqual([]);
    expect(appInitials('Gmail')).toEqual([]);
  });

  it('reads initials written in capitals as the app, when they stand for one app of the catalog', () => {
    expect(apps('BQ: insert these rows into table events')).toEqual(['google-bigquery']);
    expect(apps('list my DO droplets')).toEqual(['digital-ocean']);
    // Help Scout and HubSpot share "HS": it names neither.
    expect(apps('HS: find the conversation about invoice 2231')).toEqual(expect.arrayContaining(['help-scout', 'front']));
  });

  it('does not read the same letters as the app in lower case ("do", "bq")', () => {
    expect(apps('do list the instances')[0]).toBe('linode');
    expect(apps('insert rows into the bq table')).toEqual(expect.arrayContaining(['google-bigquery', 'airtable']));
  });
});

describe('ActionSearchIndex: the upstream action type', () => {
  const typed = (key: string, name: string, actionType: string, description = ''): SourceTool => {
    const title = `CRM: ${name}`;
    return {
      app: 'crm',
      actionType,
      definition: { name: `crm_${key}`, title, description, inputSchema: { type: 'object', properties: {} }, annotations: annotationsFor(title, key, name) },
    };
  };
  const index = new ActionSearchIndex([
    typed('contact-sync', 'Contact Sync', 'delete-data-record', 'Contact record.'),
    typed('contact-view', 'Contact View', 'find-data-record-by-id', 'Contact record.'),
    typed('contact-entry', 'Contact Entry', 'create-data-record', 'Contact record.'),
  ]);
  const first = (query: string) => index.query(query, { limit: 3 }).hits[0].tool.definition.name;

  it('decides what an action does from its type when its key does not say', () => {
    expect(first('delete the contact')).toBe('crm_contact-sync');
    expect(first('show me the contact')).toBe('crm_contact-view');
    expect(first('create a contact')).toBe('crm_contact-entry');
  });
});

describe('ActionSearchIndex: round 4 — WordNet glosses of key words, key coverage', () => {
  const make = (app: string, key: string, name: string, description: string): SourceTool => {
    const title = `Code: ${name}`;
    return {
      app,
      definition: { name: `${app}_${key}`, title, description, inputSchema: { type: 'object', properties: {} }, annotations: annotationsFor(title, key, name) },
    };
  };
  const CODE = [
    make('code', 'create-pull-request', 'Create Pull Request', 'Opens a pull request.'),
    make('code', 'decline-pull-request', 'Decline Pull Request', 'Declines a pull request.'),
    make('code', 'merge-pull-request', 'Merge Pull Request', 'Merges a pull request.'),
  ];
  const first = (index: ActionSearchIndex, query: string) => index.query(query, { limit: 3 }).hits[0].tool.definition.name;

  it('finds an action by the WordNet gloss of its key word ("turn down" is what "decline" means), and not without the glosses', () => {
    expect(DEFAULT_WEIGHTS.gloss).toBeGreaterThan(0);
    expect(first(new ActionSearchIndex(CODE), 'turn down pull request 31')).toBe('code_decline-pull-request');
    expect(first(new ActionSearchIndex(CODE, { ...DEFAULT_WEIGHTS, gloss: 0 }), 'turn down pull request 31')).not.toBe('code_decline-pull-request');
  });

  it('weighs the glosses below the action’s own words: an exact key word still wins', () => {
    expect(first(new ActionSearchIndex(CODE), 'merge pull request 31')).toBe('code_merge-pull-request');
    expect(first(new ActionSearchIndex(CODE), 'decline pull request 31')).toBe('code_decline-pull-request');
  });

  it('favours the action whose key the request covers (the share of its key words the request holds)', () => {
    const tools = [
      make('crm', 'get-contact', 'Get Contact', 'Returns a contact with its deals.'),
      make('crm', 'get-contact-deal-notes', 'Get Contact Deal Notes', 'Returns the notes of the deals of a contact.'),
    ];
    // The score of get-contact over that of get-contact-deal-notes (the factor does not depend on the order).
    const ratio = (index: ActionSearchIndex) => {
      const hits = index.query('get the contact', { limit: 2 }).hits;
      const score = (name: string) => hits.find((h) => h.tool.definition.name === name)!.score;
      return score('crm_get-contact') / score('crm_get-contact-deal-notes');
    };
    expect(DEFAULT_WEIGHTS.coverage).toBeGreaterThan(0);
    const covered = ratio(new ActionSearchIndex(tools));
    const without = ratio(new ActionSearchIndex(tools, { ...DEFAULT_WEIGHTS, coverage: 0 }));
    // get-contact: 2 of 2 key words held (× 1 + coverage); get-contact-deal-notes: 2 of 4 (× 1 + coverage / 2).
    const c = DEFAULT_WEIGHTS.coverage ?? 0;
    expect(covered).toBeGreaterThan(without);
    expect(covered / without).toBeCloseTo((1 + c) / (1 + c / 2), 2);
  });
});
