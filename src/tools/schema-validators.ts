import { Injectable, Logger } from '@nestjs/common';
import Ajv, { ErrorObject, Options, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export interface ValidationProblem {
  path: string;
  message: string;
}

/** Checks tool arguments against one action's input schema; returns the problems (empty when valid). */
export type ArgumentsValidator = (args: Record<string, unknown>) => ValidationProblem[];

/** What a call to a tool whose input schema Ajv cannot compile gets: it is refused, never run unchecked. */
export const UNCOMPILABLE_SCHEMA_PROBLEM: Readonly<ValidationProblem> = Object.freeze({
  path: '(schema)',
  message: "the action's input schema could not be compiled, so arguments cannot be validated; ask the workspace admin to fix the action schema",
});

/**
 * `addUsedSchema: false`: a schema's `$id` is never registered, so the same `$id` in another action,
 * refresh or customer cannot clash. `logger: false`: Ajv never writes to the console (unknown formats
 * and keywords are ignored silently, as `strict: false` asks).
 */
const AJV_OPTIONS: Options = { strict: false, allErrors: true, validateFormats: true, allowUnionTypes: true, addUsedSchema: false, logger: false };

function newAjv(options: Options): Ajv {
  const ajv = new Ajv(options);
  addFormats(ajv);
  return ajv;
}

function describeAjvError(e: ErrorObject): ValidationProblem {
  const base = e.instancePath ? e.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { path: base ? `${base}.${missing}` : missing, message: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { path: base ? `${base}.${extra}` : extra, message: 'is not an allowed property' };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return { path: base || '(arguments)', message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  return { path: base || '(arguments)', message: e.message ?? 'is invalid' };
}

/**
 * Compiles action input schemas into argument validators.
 *
 * Each schema is compiled by an Ajv instance of its own, referenced only by the validator it returns:
 * an Ajv instance keeps every function it compiled in its code scope for as long as it lives (even
 * after `removeSchema`), so one long-lived instance grows with every catalog refresh, and schemas
 * compiled side by side can clash on `$id` or resolve each other's references. A validator (and its
 * Ajv) is released with whatever holds it — the catalog that compiled it.
 *
 * The only long-lived instance checks schemas against the JSON Schema meta-schema (compiled once,
 * here, instead of once per schema); it never compiles an action schema, so it holds none.
 *
 * A schema that cannot be compiled fails closed: its validator refuses every call with
 * `UNCOMPILABLE_SCHEMA_PROBLEM`, and a warning is logged (callers compile once per catalog and tool).
 */
@Injectable()
export class SchemaValidators {
  private readonly logger = new Logger(SchemaValidators.name);
  private readonly metaSchemaChecker = newAjv(AJV_OPTIONS);

  /** `label` names the schema in the warning logged when it cannot be compiled (e.g. the tool name). */
  compile(schema: Record<string, unknown>, label: string): ArgumentsValidator {
    let validate: ValidateFunction;
    try {
      if (!this.metaSchemaChecker.validateSchema(schema)) {
        throw new Error(`schema is invalid: ${this.metaSchemaChecker.errorsText(this.metaSchemaChecker.errors)}`);
      }
      validate = newAjv({ ...AJV_OPTIONS, validateSchema: false }).compile(schema);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.logger.warn(`The input schema of ${label} could not be compiled, so calls to it are refused: ${reason.slice(0, 300)}`);
      return () => [{ ...UNCOMPILABLE_SCHEMA_PROBLEM }];
    }
    return (args) => (validate(args) ? [] : (validate.errors ?? []).map(describeAjvError));
  }
}
