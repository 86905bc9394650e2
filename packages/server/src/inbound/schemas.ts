/** JSON Schemas of definitions (webhook bodies, ingestion entries), compiled once with Ajv. */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ValidationError } from '../errors.js';

// ajv-formats is CommonJS; its default export arrives as the module object under NodeNext.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  addFormatsModule) as unknown as FormatsPlugin;

let ajv: Ajv | undefined;

function instance(): Ajv {
  if (ajv === undefined) {
    // allErrors: the caller gets every problem of an entry at once; strict off: schemas written for
    // other validators (with unknown keywords) still compile.
    ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
  }
  return ajv;
}

export interface CompiledSchema {
  /** Undefined when valid, else one line naming each failure. */
  check(value: unknown): string | undefined;
}

export function compileSchema(schema: unknown, what: string): CompiledSchema {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new ValidationError(`${what} must be a JSON Schema object.`);
  }
  let validate: ValidateFunction;
  try {
    validate = instance().compile(schema);
  } catch (error) {
    throw new ValidationError(
      `${what} is not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return {
    check(value) {
      if (validate(value)) return undefined;
      return (validate.errors ?? [])
        .slice(0, 10)
        .map((e) => `${e.instancePath === '' ? '(root)' : e.instancePath} ${e.message ?? 'is invalid'}`)
        .join('; ');
    },
  };
}
