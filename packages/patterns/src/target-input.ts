/**
 * What a rule target receives for a matched event: the whole event, a constant `input`, the value at
 * `inputPath`, or an `inputTransformer` template rendered for the event. These are the domain names;
 * the API layer maps AWS's wire names (Input, InputPath, InputTransformer.InputPathsMap, ...) to them.
 */
import { InvalidTargetInputError } from './errors.js';
import {
  codePointLength,
  constraintViolation,
  findInvalidPlaceholder,
  findJsonError,
  inputTransformerViolations,
  renderInputTransformer,
  type InputTransformer,
  type TransformContext,
  type TransformResult,
} from './input-transformer.js';
import { selectPath } from './input-path.js';
import type { JsonObject } from './json.js';

export {
  INPUT_TRANSFORMER_LIMITS,
  RESERVED_VARIABLES,
  codePointLength,
  isJsonTemplate,
  isReservedVariable,
  listPlaceholders,
  type InputTransformer,
  type ReservedVariable,
  type TransformContext,
  type TransformResult,
} from './input-transformer.js';
export {
  isIndefiniteJsonPath,
  isValidJsonPath,
  parseJsonPath,
  selectPath,
  type JsonPathStep,
} from './input-path.js';

export interface TargetInput {
  /** Constant JSON text sent instead of the event. */
  input?: string;
  /** JSONPath of the part of the event to send. */
  inputPath?: string;
  inputTransformer?: InputTransformer;
}

export interface ValidateTargetInputOptions {
  /**
   * Where the target sits in the request, for AWS's model-validation messages
   * (`Value '...' at 'targets.2.member.inputPath' ...`). Defaults to the first target of a PutTargets
   * call, `targets.1.member`.
   */
  memberPath?: string;
}

/** Service-model limits for the constant input and the input path. */
export const TARGET_INPUT_LIMITS = { maxInputLength: 8192, maxInputPathLength: 256 } as const;

/**
 * Checks a target's input settings the way PutTargets does, throwing InvalidTargetInputError with
 * AWS's ValidationException text. The order mirrors AWS: the service model's length and pattern
 * constraints first (all reported together), then the rules of the operation itself.
 */
export function validateTargetInput(
  targetId: string,
  spec: TargetInput,
  options: ValidateTargetInputOptions = {},
): void {
  const memberPath = options.memberPath ?? 'targets.1.member';
  const { input, inputPath, inputTransformer } = spec;
  requireStringOrAbsent(input, `${memberPath}.input`);
  requireStringOrAbsent(inputPath, `${memberPath}.inputPath`);
  if (inputTransformer !== undefined && (typeof inputTransformer !== 'object' || inputTransformer === null)) {
    throw new InvalidTargetInputError(`InputTransformer for target ${targetId} must be an object.`);
  }

  const violations: string[] = [];
  if (input !== undefined && codePointLength(input) > TARGET_INPUT_LIMITS.maxInputLength) {
    violations.push(
      constraintViolation(
        input,
        `${memberPath}.input`,
        `Member must have length less than or equal to ${TARGET_INPUT_LIMITS.maxInputLength}`,
      ),
    );
  }
  if (inputPath !== undefined && codePointLength(inputPath) > TARGET_INPUT_LIMITS.maxInputPathLength) {
    violations.push(
      constraintViolation(
        inputPath,
        `${memberPath}.inputPath`,
        `Member must have length less than or equal to ${TARGET_INPUT_LIMITS.maxInputPathLength}`,
      ),
    );
  }
  if (inputTransformer !== undefined) {
    violations.push(...inputTransformerViolations(inputTransformer, `${memberPath}.inputTransformer`));
  }
  if (violations.length > 0) {
    const count = violations.length;
    throw new InvalidTargetInputError(
      `${count} validation error${count === 1 ? '' : 's'} detected: ${violations.join('; ')}`,
    );
  }

  const modes = [input, inputPath, inputTransformer].filter((mode) => mode !== undefined).length;
  if (modes > 1) {
    throw new InvalidTargetInputError(
      `Only one of Input, InputPath, or InputTransformer must be provided for target ${targetId}.`,
    );
  }

  if (input !== undefined) {
    const error = findJsonError(input);
    if (error !== undefined) {
      // AWS parses Input with Jackson and quotes the parser's location; the wording was seen in a
      // PutTargets response reported by users (ansible-collections/community.aws#201).
      throw new InvalidTargetInputError(
        `JSON syntax error in input for target ${targetId}: ${jacksonLocation(input, error.line, error.column)}`,
      );
    }
  }

  if (inputTransformer !== undefined) {
    const placeholder = findInvalidPlaceholder(inputTransformer);
    if (placeholder !== undefined) {
      throw new InvalidTargetInputError(
        `InputTemplate for target ${targetId} contains invalid placeholder ${placeholder}.`,
      );
    }
  }
}

/**
 * Produces the body a target receives for `event`. Never throws for a JSON event. A spec that
 * validateTargetInput would refuse for setting several modes is rendered by the first one set, in the
 * order input, inputPath, inputTransformer.
 */
export function renderTargetInput(
  event: JsonObject,
  spec: TargetInput,
  context: TransformContext,
): TransformResult {
  if (typeof spec.input === 'string') return { ok: true, body: spec.input };
  if (typeof spec.inputPath === 'string') {
    const selected = selectPath(event, spec.inputPath);
    if (selected === undefined) {
      // Nothing to send: the body of an EventBridge delivery is JSON, and an absent value has no JSON
      // text. Treated like a template that renders to invalid JSON: the event is not delivered.
      return {
        ok: false,
        code: 'INVALID_JSON',
        message: `InputPath ${spec.inputPath} selects nothing in the event, so there is no JSON to deliver.`,
      };
    }
    return { ok: true, body: JSON.stringify(selected) };
  }
  if (typeof spec.inputTransformer?.inputTemplate === 'string') {
    return renderInputTransformer(event, spec.inputTransformer, context);
  }
  return { ok: true, body: JSON.stringify(event) };
}

function requireStringOrAbsent(value: unknown, at: string): void {
  if (value !== undefined && typeof value !== 'string') {
    // The AWS wire format cannot carry a non-string here; this guards JavaScript callers.
    throw new InvalidTargetInputError(`Value at '${at}' must be a string.`);
  }
}

/** Jackson's description of where it stopped: the source (first 500 characters), line and column. */
function jacksonLocation(source: string, line: number, column: number): string {
  const limit = 500;
  const shown =
    source.length > limit
      ? `"${source.slice(0, limit)}"[truncated ${source.length - limit} chars]`
      : `"${source}"`;
  return `[Source: (String)${shown}; line: ${line}, column: ${column}]`;
}
