import {
  analyzeQuery,
  AMBIGUOUS_VERB_WEIGHT,
  appDomainOf,
  closeOperationsOf,
  conceptsOf,
  intentOf,
  MAX_QUERY_LENGTH,
  MAX_QUERY_TERMS,
  MAX_TERM_LENGTH,
  operationsOf,
  OWNER_WEIGHT,
  PAYLOAD_WEIGHT,
  stemWord,
  terms,
  words,
} from './search-language';

const weightOf = (query: string, word: string) => analyzeQuery(query).terms.find((t) => t.stem === stemWord(word))?.weight;

describe('search language', () => {
  it('gives synonyms a shared concept, and operations apart from things', () => {
    const shared = (a: string, b: string) => conceptsOf(stemWord(a)).some((c) => conceptsOf(stemWord(b)).includes(c));
    expect(shared('remove', 'delete')).toBe(true);
    expect(shared('meeting', 'event')).toBe(true);
    expect(shared('bug', 'issue')).toBe(true);
    expect(shared('invoice', 'meeting')).toBe(false);
    expect(operationsOf(stemWord('erase')).length).toBeGreaterThan(0);
    expect(operationsOf(stemWord('meeting'))).toEqual([]);
  });

  it('joins phrasal verbs and reads irregular verbs as their base form', () => {
    expect(analyzeQuery('get rid of the stale lead').verb).toBe(stemWord('delete'));
    expect(analyzeQuery('take the sync off my calendar').verb).toBe(stemWord('remove'));
    expect(terms('hand this bug over to Priya')).toContain(stemWord('handoff'));
    expect(stemWord('said')).toBe(stemWord('say'));
    expect(stemWord('sent')).toBe(stemWord('send'));
  });

  it('drops negated clauses and down-weights the payload of a request', () => {
    expect(weightOf("draft an email but don't send it yet", 'send')).toBeUndefined();
    expect(weightOf('tell the team in chat that the deploy is done', 'deploy')).toBe(PAYLOAD_WEIGHT);
    expect(weightOf('tell the team in chat that the deploy is done', 'team')).toBe(1);
    expect(weightOf('file a bug: the login page crashes', 'page')).toBe(PAYLOAD_WEIGHT);
    expect(weightOf('create a product called Pro Plan', 'plan')).toBe(PAYLOAD_WEIGHT);
    // "let … know" is a request to tell; what follows is what to say.
    expect(analyzeQuery('let the sales channel know we closed the deal').verb).toBe(stemWord('notify'));
    expect(weightOf('let the sales channel know we closed the deal', 'deal')).toBe(PAYLOAD_WEIGHT);
    // Without a request of its own before the marker, nothing is payload.
    expect(weightOf('about the Acme deal', 'deal')).toBe(1);
  });

  it('finds the verb a request leads with, after polite words, or in a later clause', () => {
    expect(analyzeQuery('please book a room for friday').verb).toBe(stemWord('book'));
    expect(analyzeQuery('can you archive the old channel').verb).toBe(stemWord('archive'));
    expect(analyzeQuery('we got 30 more mugs in, bump the stock').verb).toBe(stemWord('bump'));
    expect(analyzeQuery('the client session is off, cancel it').verb).toBe(stemWord('cancel'));
    expect(analyzeQuery('who is on the design team').verb).toBeUndefined();
  });

  it('counts a leading verb that is also a thing less as that thing', () => {
    expect(weightOf('file a bug about the login page', 'file')).toBe(AMBIGUOUS_VERB_WEIGHT);
    expect(weightOf('upload the file', 'file')).toBe(1);
  });

  it('keeps apart words the stemmer would join, and reads #channels, @mentions and clock times', () => {
    expect(stemWord('customer')).not.toBe(stemWord('custom'));
    expect(stemWord('busy')).not.toBe(stemWord('business'));
    expect(stemWord('recording')).not.toBe(stemWord('record'));
    expect(terms('post it in #eng-releases')).toContain(stemWord('channel'));
    expect(terms('post it in #eng-releases')).not.toContain(stemWord('releases'));
    expect(terms('ping @dana')).toContain(stemWord('user'));
    expect(conceptsOf(terms('at 3pm')[0])).toEqual(expect.arrayContaining(conceptsOf(stemWord('monday'))));
  });

  it('reads clock times and phrasal verbs, and counts whose thing it is less', () => {
    expect(terms('at 9')).toContain(stemWord('clocktime'));
    expect(analyzeQuery('set up a call with Dana').verb).toBe(stemWord('setup'));
    expect(weightOf("schedule the team's standup", 'team')).toBe(OWNER_WEIGHT);
    expect(weightOf("schedule the team's standup", 'standup')).toBe(1);
    expect(weightOf('ask the team whether anyone has the VPN password', 'password')).toBe(PAYLOAD_WEIGHT);
  });

  it('reads a colon after a label without a verb as naming where ("Vercel: remove the alias"), not as a payload', () => {
    expect(analyzeQuery('Vercel: remove the alias staging').verb).toBe(stemWord('remove'));
    expect(weightOf('Vercel: remove the alias staging', 'alias')).toBe(1);
    expect(weightOf('file a bug: the upload page crashes', 'upload')).toBe(PAYLOAD_WEIGHT);
  });

  it('reads a short head before a colon that does not lead with a verb as a label, whatever words it holds', () => {
    expect(analyzeQuery('Year-end wrap-up: show the open invoices').verb).toBe(stemWord('show'));
    expect(analyzeQuery('Year-end wrap-up: show the open invoices').intent).toBe('read');
    expect(weightOf('Year-end wrap-up: show the open invoices', 'invoices')).toBe(1);
    // Leading with a verb, the head is the request ("please" and the like are not its lead).
    expect(weightOf('please post in general: the build is green', 'build')).toBe(PAYLOAD_WEIGHT);
  });

  it("takes no word of a named app's name for the verb, and reads the clause after a label's colon as the request", () => {
    const zoho = new Set(['zoho', 'books']);
    expect(analyzeQuery('Zoho Books: show the expense EXP-88', zoho).verb).toBe(stemWord('show'));
    expect(analyzeQuery('Zoho Books: show the expense EXP-88', zoho).intent).toBe('read');
    // Even without knowing the app, a head that does not lead with a verb is a label: the request follows it.
    expect(weightOf('Zoho Books: show the expense EXP-88', 'expense')).toBe(1);
    expect(analyzeQuery('SharePoint: list item 5 of the Contracts list').verb).toBe(stemWord('list'));
    expect(analyzeQuery('SharePoint: list item 5 of the Contracts list').intent).toBe('read');
  });

  it('does not take a participle after a determiner for the verb ("the deleted property")', () => {
    expect(analyzeQuery('Amplitude: bring back the deleted user property').verb).toBeUndefined();
    expect(analyzeQuery('we need the archived channel back, restore it').verb).toBe(stemWord('restore'));
  });

  it('takes no verb of a question for the operation asked: a question reads ("which pull requests are open")', () => {
    const open = analyzeQuery('which pull requests are open on the web repo');
    expect(open.verb).toBeUndefined();
    expect(open.intent).toBe('read');
    // A question led by an imperative still asks for that operation.
    expect(analyzeQuery('what: create an invoice for acme').verb).toBe(stemWord('create'));
    expect(analyzeQuery('how many orders did we ship').intent).toBe('read');
  });

  it('does not take a past tense outside the lead of a clause for the verb ("the merchant got the money")', () => {
    expect(analyzeQuery('the merchant got the money for order 55').verb).toBeUndefined();
    expect(analyzeQuery('the buyer sent back the item').verb).toBeUndefined();
    expect(analyzeQuery('the client approved the quote').verb).toBeUndefined();
    // …while a verb in the present still is one, and a leading verb always is.
    expect(analyzeQuery('the team needs to send the report').verb).toBe(stemWord('send'));
    expect(analyzeQuery('send the signed contract').verb).toBe(stemWord('send'));
  });

  it('has no idiom rule written for one query (removed by the dev-set ablation)', () => {
    expect(analyzeQuery('break the launch task into smaller pieces').verb).not.toBe(stemWord('create'));
    expect(terms('give finance edit rights on the sheet')).not.toContain(stemWord('permission'));
  });

  it('knows operations close to others', () => {
    const [schedule] = operationsOf(stemWord('schedule')).filter((c) => !operationsOf(stemWord('create')).includes(c));
    expect([...closeOperationsOf(schedule)].some((c) => operationsOf(stemWord('create')).includes(c))).toBe(true);
  });

  it('tells read from write by the verb, and questions read', () => {
    expect(intentOf('show me the open tickets')).toBe('read');
    expect(intentOf('which labels do I have')).toBe('read');
    expect(intentOf('what is still unpaid')).toBe('read');
    expect(intentOf('remove the duplicate lead')).toBe('write');
    expect(intentOf('schedule a call with Dana')).toBe('write');
    expect(intentOf('Acme')).toBeUndefined();
  });

  it('tells whether a request is about one thing or many', () => {
    expect(analyzeQuery('show me the shop orders').number).toBe('many');
    expect(analyzeQuery('check the stage of the Initech deal').number).toBe('one');
    expect(analyzeQuery('hello').number).toBeUndefined();
  });

  it('knows what well-known apps are for, and nothing of others', () => {
    expect(appDomainOf('shopify')).toContain('shop');
    expect(appDomainOf('zendesk')).toContain('helpdesk');
    expect(appDomainOf('acme-internal')).toBe('');
  });
});

describe('bounded work per query (term caps)', () => {
  it('cuts every word before stemming and keeps at most MAX_QUERY_TERMS terms', () => {
    expect(words('x'.repeat(1000))).toEqual(['x'.repeat(MAX_TERM_LENGTH)]);
    expect(stemWord('ational'.repeat(140)).length).toBeLessThanOrEqual(MAX_TERM_LENGTH);
    const many = Array.from({ length: 300 }, (_, i) => `word${i}x`).join(' ');
    const analysis = analyzeQuery(many);
    expect(analysis.terms.length).toBeLessThanOrEqual(MAX_QUERY_TERMS);
    expect(terms(many, MAX_QUERY_TERMS)).toHaveLength(MAX_QUERY_TERMS);
    expect(analyzeQuery(`${'a'.repeat(5000)} send email`).terms.every((t) => t.stem.length <= MAX_TERM_LENGTH)).toBe(true);
  });

  it('reads only the first MAX_QUERY_LENGTH characters', () => {
    const analysis = analyzeQuery(`${'pad '.repeat(MAX_QUERY_LENGTH / 4)}delete everything`);
    expect(analysis.terms.map((t) => t.stem)).not.toContain('everyth');
  });
});
