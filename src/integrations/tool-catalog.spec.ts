import { Logger } from '@nestjs/common';
import { distance } from 'fastest-levenshtein';
import { suggestNames } from '../tools/suggest-names';
import { buildNotConnectedTools, buildToolCatalog } from './tool-catalog';
import type { UpstreamAction, UpstreamConnection } from './integration-app.gateway';
import { SchemaValidators, UNCOMPILABLE_SCHEMA_PROBLEM } from '../tools/schema-validators';

const conn = (id: string, integrationKey: string, extra: Partial<UpstreamConnection> = {}): UpstreamConnection => ({
  id,
  name: `${integrationKey} ${id}`,
  integrationId: `int-${integrationKey}`,
  integrationKey,
  integrationName: integrationKey.toUpperCase(),
  disconnected: false,
  archived: false,
  ...extra,
});
const action = (key: string, extra: Partial<UpstreamAction> = {}): UpstreamAction => ({
  id: key,
  key,
  name: key,
  integrationId: '',
  deactivated: false,
  archived: false,
  ...extra,
});

const validators = new SchemaValidators();

describe('buildToolCatalog', () => {
  it('skips disconnected/archived connections and deactivated/archived actions', () => {
    const catalog = buildToolCatalog(
      [conn('c1', 'crm'), conn('c2', 'mail', { disconnected: true }), conn('c3', 'docs', { archived: true })],
      new Map([
        ['int-crm', [action('a'), action('b', { deactivated: true }), action('c', { archived: true })]],
        ['int-mail', [action('send')]],
        ['int-docs', [action('read')]],
      ]),
      validators,
    );
    expect(catalog.entries.map((e) => e.name)).toEqual(['crm_a']);
  });

  it('wraps a non-object schema and accepts arguments as { input }', () => {
    const catalog = buildToolCatalog([conn('c1', 'x')], new Map([['int-x', [action('echo', { inputSchema: { type: 'string' } })]]]), validators);
    const entry = catalog.get('x_echo')!;
    expect(entry.wrapsInput).toBe(true);
    expect(entry.definition.inputSchema).toEqual({ type: 'object', properties: { input: { type: 'string' } }, required: ['input'] });
    expect(catalog.validate(entry, { input: 'hi' })).toEqual([]);
    expect(catalog.validate(entry, { input: 3 })[0].path).toBe('input');
  });

  it("offers each action as a tool of its app, with the seed's aliases, as one array per catalog", () => {
    const catalog = buildToolCatalog([conn('c1', 'gmail')], new Map([['int-gmail', [action('send-email'), action('read_email')]]]), validators);
    expect(catalog.tools.map((t) => [t.definition.name, t.app, t.aliases])).toEqual([
      ['gmail_send-email', 'gmail', ['gmail-send-email', 'gmail_send-email']],
      ['gmail_read_email', 'gmail', ['gmail-read_email', 'gmail_read_email']],
    ]);
    expect(catalog.tools).toBe(catalog.tools);
    expect(catalog.tools[0].catalog).toBe(catalog);
  });
});

/** A freshly parsed schema, as each fetch from upstream yields (nothing shared between fetches). */
const parsed = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const SHARED_ID = 'https://schemas.example/action-input';
const schemaWithId = (property: string, type: string) =>
  parsed({ $id: SHARED_ID, type: 'object', properties: { [property]: { type } }, required: [property], additionalProperties: false });

describe('buildToolCatalog: upstream action types', () => {
  it('carries the Integration.app action type to the tool, when it has one', () => {
    const catalog = buildToolCatalog(
      [conn('c1', 'crm')],
      new Map([['int-crm', [action('get-or-create-contact', { type: 'find-or-create-data-record' }), action('list-notes')]]]),
      validators,
    );
    expect(catalog.tools.map((t) => t.actionType)).toEqual(['find-or-create-data-record', undefined]);
    expect(catalog.entries[0].actionType).toBe('find-or-create-data-record');
  });
});

describe('ToolCatalog.validate', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('validates each tool with its own schema when two actions share an $id', () => {
    const catalog = buildToolCatalog(
      [conn('c1', 'crm')],
      new Map([
        ['int-crm', [action('find', { inputSchema: schemaWithId('query', 'string') }), action('count', { inputSchema: schemaWithId('limit', 'integer') })]],
      ]),
      validators,
    );
    const find = catalog.get('crm_find')!;
    const count = catalog.get('crm_count')!;
    expect(catalog.validate(find, { query: 'x' })).toEqual([]);
    expect(catalog.validate(count, { limit: 3 })).toEqual([]);
    expect(catalog.validate(count, { query: 'x' })).toEqual([
      { path: 'limit', message: 'is required' },
      { path: 'query', message: 'is not an allowed property' },
    ]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('keeps validating across refreshes and customers that reuse an $id', () => {
    const customerA = () =>
      buildToolCatalog([conn('a1', 'crm')], new Map([['int-crm', [action('find', { inputSchema: schemaWithId('query', 'string') })]]]), validators);
    const customerB = () =>
      buildToolCatalog([conn('b1', 'crm')], new Map([['int-crm', [action('find', { inputSchema: schemaWithId('query', 'integer') })]]]), validators);
    for (let refresh = 0; refresh < 5; refresh++) {
      const a = customerA();
      const b = customerB();
      expect(a.validate(a.get('crm_find')!, { query: 'text' })).toEqual([]);
      expect(a.validate(a.get('crm_find')!, { query: 1 })).toEqual([{ path: 'query', message: 'must be string' }]);
      expect(b.validate(b.get('crm_find')!, { query: 1 })).toEqual([]);
      expect(b.validate(b.get('crm_find')!, { query: 'text' })).toEqual([{ path: 'query', message: 'must be integer' }]);
      expect(a.validate(a.get('crm_find')!, {})).toEqual([{ path: 'query', message: 'is required' }]);
    }
    expect(warn).not.toHaveBeenCalled();
  });

  it('resolves local $ref to definitions and $defs, also in a wrapped non-object schema', () => {
    const catalog = buildToolCatalog(
      [conn('c1', 'x')],
      new Map([
        [
          'int-x',
          [
            action('create', {
              inputSchema: parsed({
                $id: SHARED_ID,
                type: 'object',
                properties: { owner: { $ref: '#/definitions/user' }, tags: { type: 'array', items: { $ref: '#/$defs/tag' } } },
                definitions: { user: { type: 'object', properties: { email: { type: 'string', format: 'email' } }, required: ['email'] } },
                $defs: { tag: { type: 'string', maxLength: 5 } },
              }),
            }),
            action('batch', { inputSchema: parsed({ type: 'array', items: { $ref: '#/definitions/item' }, definitions: { item: { type: 'integer' } } }) }),
          ],
        ],
      ]),
      validators,
    );
    const create = catalog.get('x_create')!;
    expect(catalog.validate(create, { owner: { email: 'a@example.com' }, tags: ['ok'] })).toEqual([]);
    expect(catalog.validate(create, { owner: {}, tags: ['too long'] })).toEqual([
      { path: 'owner.email', message: 'is required' },
      { path: 'tags.0', message: 'must NOT have more than 5 characters' },
    ]);
    const batch = catalog.get('x_batch')!;
    expect(batch.wrapsInput).toBe(true);
    expect(catalog.validate(batch, { input: [1, 2] })).toEqual([]);
    expect(catalog.validate(batch, { input: [1, 'two'] })).toEqual([{ path: 'input.1', message: 'must be integer' }]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('refuses every call to a tool whose schema cannot be compiled, warning once per catalog and tool', () => {
    const build = () =>
      buildToolCatalog(
        [conn('c1', 'x')],
        new Map([
          ['int-x', [action('broken', { inputSchema: parsed({ type: 'object', properties: { a: { $ref: '#/definitions/nowhere' } } }) }), action('fine')]],
        ]),
        validators,
      );
    const catalog = build();
    const broken = catalog.get('x_broken')!;
    expect(catalog.validate(broken, {})).toEqual([UNCOMPILABLE_SCHEMA_PROBLEM]);
    expect(catalog.validate(broken, { a: 1 })).toEqual([UNCOMPILABLE_SCHEMA_PROBLEM]);
    expect(catalog.validate(catalog.get('x_fine')!, {})).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain('x_broken');

    const refreshed = build();
    expect(refreshed.validate(refreshed.get('x_broken')!, {})).toEqual([UNCOMPILABLE_SCHEMA_PROBLEM]);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it("refuses a connectionId that is not one of the tool's connections", () => {
    const catalog = buildToolCatalog(
      [conn('c1', 'x'), conn('c2', 'x')],
      new Map([['int-x', [action('run', { inputSchema: schemaWithId('q', 'string') })]]]),
      validators,
    );
    const entry = catalog.get('x_run')!;
    expect(catalog.validate(entry, { q: 'a', connectionId: 'c2' })).toEqual([]);
    expect(catalog.validate(entry, { q: 'a', connectionId: '..' })).toEqual([{ path: 'connectionId', message: 'must be one of "c1", "c2"' }]);
  });

  it('owns its validators: one compile per catalog and tool, none shared with another catalog', () => {
    const compile = jest.spyOn(validators, 'compile');
    const build = () => buildToolCatalog([conn('c1', 'x')], new Map([['int-x', [action('a', { inputSchema: schemaWithId('q', 'string') })]]]), validators);
    const first = build();
    const second = build();
    for (let i = 0; i < 10; i++) first.validate(first.get('x_a')!, { q: 'x' });
    expect(compile).toHaveBeenCalledTimes(1);
    second.validate(second.get('x_a')!, { q: 'x' });
    expect(compile).toHaveBeenCalledTimes(2);
    // An entry of another catalog is validated but not kept, so a catalog's validators never outgrow it.
    first.validate(second.get('x_a')!, { q: 'x' });
    first.validate(second.get('x_a')!, { q: 'x' });
    expect(compile).toHaveBeenCalledTimes(4);
  });
});

describe('ToolCatalog.suggest', () => {
  const verbs = [
    'list',
    'get',
    'create',
    'update',
    'delete',
    'search',
    'archive',
    'restore',
    'export',
    'import',
    'sync',
    'merge',
    'assign',
    'comment',
    'watch',
  ];
  const nouns = ['contacts', 'deals', 'tickets', 'invoices', 'documents-and-attachments-of-a-workspace'];
  /** 41 integrations × 15 actions = 615 tools, names of 12 to 64 characters. */
  const big = buildToolCatalog(
    Array.from({ length: 41 }, (_, i) => conn(`c${i}`, `integration-${i}`)),
    new Map(
      Array.from({ length: 41 }, (_, i) => [
        `int-integration-${i}`,
        verbs.map((verb, j) => action(`${verb}-${nouns[(i + j) % nouns.length]}${j % 4 === 0 ? '-including-archived-and-deleted-ones' : ''}`)),
      ]),
    ),
    validators,
  );
  const candidates = [...big.entries.map((e) => e.name), ...new Set(big.entries.map((e) => e.integrationKey))];

  it('suggests near misses and names containing the text, and nothing for unrelated text', () => {
    const catalog = buildToolCatalog([conn('c1', 'gmail')], new Map([['int-gmail', [action('send-email'), action('read_email')]]]), validators);
    const names = catalog.entries.map((e) => e.name);
    expect(suggestNames('gmail_snd-email', names)).toEqual(['gmail_send-email']);
    expect(suggestNames('GMAIL_READ-EMAIL', names)).toEqual(['gmail_read_email', 'gmail_send-email']);
    expect(suggestNames('send-email', names)).toEqual(['gmail_send-email']);
    expect(suggestNames('nope', names)).toEqual([]);
    expect(suggestNames('x'.repeat(5000), names)).toEqual([]);
    expect(suggestNames('integration-0_get-deal', candidates)).toEqual(['integration-0_get-deals', 'integration-10_get-deals', 'integration-20_get-deals']);
  });

  it('suggests what comparing every candidate by edit distance suggests', () => {
    // The reference: no length or character-count prefilter, the library's distance for every candidate.
    const reference = (text: string): string[] => {
      const needle = text.slice(0, 64).toLowerCase();
      const limit = Math.min(12, Math.max(2, Math.floor(needle.length / 4)));
      const scored = candidates
        .map((name) => {
          const lower = name.toLowerCase();
          return { name, score: lower.includes(needle) ? Math.min(lower.length - needle.length, 2) : distance(needle, lower) };
        })
        .filter((s) => s.score <= limit)
        .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
      const best = scored[0]?.score ?? 0;
      return scored
        .filter((s) => s.score <= best + 1)
        .slice(0, 3)
        .map((s) => s.name);
    };
    const typos = candidates
      .filter((_, i) => i % 7 === 0)
      .flatMap((name) => [
        name.slice(0, -2),
        name.replace('-', '_'),
        name.slice(4),
        name.toUpperCase().replace(/[aeiou]/gi, 'é'),
        `${name}s`,
        name.slice(0, 12),
      ]);
    for (const typo of typos) expect(suggestNames(typo, candidates)).toEqual(reference(typo));
  });

  it('stays cheap for hostile input: 500 calls with 5,000-character needles on a 615-tool catalog', () => {
    expect(big.size).toBe(615);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789_-';
    const garbage = alphabet.repeat(Math.ceil(10_000 / alphabet.length));
    // 500 different garbage needles of 5,000 characters (rotations of a shuffled-enough pattern).
    const needles = Array.from({ length: 500 }, (_, i) =>
      [...garbage.slice(i % 97, (i % 97) + 5000)]
        .reverse()
        .join('')
        .replace(/a/g, String(i % 10)),
    );
    let started = performance.now();
    for (const needle of needles) expect(suggestNames(needle, candidates)).toEqual([]);
    // Generous: the hand-written Levenshtein, and sorting every candidate, took seconds here.
    expect(performance.now() - started).toBeLessThan(1000);

    // Needles a few edits from many long names, so that distances are computed and names scored.
    const near = Array.from({ length: 500 }, (_, i) => `${candidates[i % 600].replace(/e/g, 'a')}${'x'.repeat(4950)}`);
    started = performance.now();
    for (const needle of near) suggestNames(needle, candidates);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('buildNotConnectedTools (actions of apps not connected yet, for search)', () => {
  const asana = { id: 'int-asana', key: 'asana', name: 'Asana' };
  const schema = { type: 'object', properties: { name: { type: 'string', description: 'x'.repeat(500) }, notes: { type: 'string' } }, required: ['name'] };

  it('names each action as the catalog will once the app is connected; titles, annotations and action type alike', () => {
    const actions = [
      action('create-task', { name: 'Create Task', inputSchema: schema }),
      action('list-projects', { name: 'List Projects', type: 'list-data-records' }),
    ];
    const preview = buildNotConnectedTools([asana], new Map([['int-asana', actions]]), 100);
    const catalog = buildToolCatalog([conn('c1', 'asana', { integrationName: 'Asana' })], new Map([['int-asana', actions]]), validators);
    expect(preview.map((t) => t.definition.name)).toEqual(catalog.entries.map((e) => e.name));
    expect(preview.map((t) => t.definition.title)).toEqual(catalog.entries.map((e) => e.definition.title));
    expect(preview.map((t) => t.definition.annotations)).toEqual(catalog.entries.map((e) => e.definition.annotations));
    expect(preview[1]).toMatchObject({ app: 'asana', appName: 'Asana', notConnected: true, actionType: 'list-data-records' });
    expect(preview[0].aliases).toEqual(['asana-create-task', 'asana_create-task']);
  });

  it('keeps only input field names (no schema), a description cut to 300 characters; skips deactivated and archived actions; at most maxActions', () => {
    const long = 'd'.repeat(1000);
    const tools = buildNotConnectedTools(
      [asana, { id: 'int-jira', key: 'jira', name: 'Jira' }],
      new Map([
        [
          'int-asana',
          [action('create-task', { inputSchema: schema, description: long }), action('old', { deactivated: true }), action('gone', { archived: true })],
        ],
        ['int-jira', [action('create-issue'), action('list-issues')]],
      ]),
      2,
    );
    expect(tools.map((t) => t.definition.name)).toEqual(['asana_create-task', 'jira_create-issue']);
    expect(tools[0].definition.inputSchema).toEqual({ type: 'object', properties: { name: {}, notes: {} } });
    expect(tools[0].definition.description).toHaveLength(300);
  });
});
