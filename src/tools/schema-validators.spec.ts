import { Logger } from '@nestjs/common';
import Ajv from 'ajv';
import { SchemaValidators, UNCOMPILABLE_SCHEMA_PROBLEM } from './schema-validators';

/** A freshly parsed schema, as the gateway hands over (nothing shared between calls). */
const parsed = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const withId = (id: string, property: string, type: string) =>
  parsed({ $id: id, type: 'object', properties: { [property]: { type } }, required: [property], additionalProperties: false });

describe('SchemaValidators', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('compiles the same $id twice, each validating with its own schema', () => {
    const validators = new SchemaValidators();
    const first = validators.compile(withId('https://schemas.example/input', 'a', 'string'), 'tool one');
    const second = validators.compile(withId('https://schemas.example/input', 'b', 'integer'), 'tool two');
    expect(first({ a: 'x' })).toEqual([]);
    expect(first({ b: 1 })).toEqual([
      { path: 'a', message: 'is required' },
      { path: 'b', message: 'is not an allowed property' },
    ]);
    expect(second({ b: 1 })).toEqual([]);
    expect(second({ b: 'x' })).toEqual([{ path: 'b', message: 'must be integer' }]);
    // And again, as on every refresh.
    for (let i = 0; i < 50; i++) expect(validators.compile(withId('https://schemas.example/input', 'a', 'string'), 'tool one')({ a: 1 })).toHaveLength(1);
    expect(warn).not.toHaveBeenCalled();
  });

  it('resolves local $ref to definitions and $defs, also under an $id', () => {
    const validators = new SchemaValidators();
    const validate = validators.compile(
      parsed({
        $id: 'https://schemas.example/contact',
        type: 'object',
        properties: { email: { $ref: '#/definitions/email' }, tags: { type: 'array', items: { $ref: '#/$defs/tag' } } },
        required: ['email'],
        definitions: { email: { type: 'string', format: 'email' } },
        $defs: { tag: { type: 'string', enum: ['a', 'b'] } },
      }),
      'tool contact',
    );
    expect(validate({ email: 'x@example.com', tags: ['a'] })).toEqual([]);
    expect(validate({ email: 'nope', tags: ['c'] })).toEqual([
      { path: 'email', message: 'must match format "email"' },
      { path: 'tags.0', message: 'must be one of "a", "b"' },
    ]);
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    ['an unresolvable $ref', { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } }],
    ['a schema that breaks the meta-schema', { type: 'object', properties: { a: { type: 'strin' } } }],
    ['a non-numeric minimum', { type: 'object', properties: { a: { type: 'number', minimum: 'one' } } }],
    ['an unknown $schema', { $schema: 'https://example.com/my-dialect', type: 'object', properties: {} }],
  ])('fails closed on %s: every call is refused, and a warning is logged', (_what, schema) => {
    const validate = new SchemaValidators().compile(parsed(schema) as Record<string, unknown>, 'tool broken');
    expect(validate({})).toEqual([UNCOMPILABLE_SCHEMA_PROBLEM]);
    expect(validate({ a: 1 })).toEqual([UNCOMPILABLE_SCHEMA_PROBLEM]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain('tool broken');
  });

  it('never writes to the console (unknown formats and keywords are ignored quietly)', () => {
    const consoleSpies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((m) => jest.spyOn(console, m).mockImplementation(() => undefined));
    const validate = new SchemaValidators().compile(
      parsed({ type: 'object', properties: { a: { type: 'string', format: 'galactic-id', 'x-widget': 'picker' } } }),
      'tool custom',
    );
    expect(validate({ a: 'anything' })).toEqual([]);
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
  });

  it('keeps no action schema in a long-lived Ajv: each validator owns the instance that compiled it', () => {
    const compile = jest.spyOn(Ajv.prototype, 'compile');
    const validateSchema = jest.spyOn(Ajv.prototype, 'validateSchema');
    const validators = new SchemaValidators();
    for (let i = 0; i < 20; i++) validators.compile(withId('https://schemas.example/input', `p${i}`, 'string'), `tool ${i}`);

    const compilers = compile.mock.contexts as Ajv[];
    const checkers = new Set(validateSchema.mock.contexts as Ajv[]);
    // The meta-schema checker (the one long-lived instance) compiled no action schema and holds none.
    expect(checkers.size).toBe(1);
    const checker = [...checkers][0];
    expect(compilers.filter((ajv) => ajv === checker)).toHaveLength(0);
    expect(checker.getSchema('https://schemas.example/input')).toBeUndefined();
    // Every action schema was compiled by an Ajv of its own, which registered no `$id` either.
    expect(new Set(compilers).size).toBe(20);
    for (const ajv of compilers) expect(Object.keys(ajv.refs).filter((ref) => ref.startsWith('https://schemas.example'))).toEqual([]);
  });
});
