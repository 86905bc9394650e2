/**
 * Errors thrown by @busway/patterns. Each has a stable `code`; messages keep AWS's wording where AWS
 * has one, because EventBridge returns these texts verbatim and callers match on them.
 */
export class PatternsError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Prefix AWS puts in front of every event-pattern compiler message. */
export const INVALID_PATTERN_PREFIX = 'Event pattern is not valid. Reason: ';

/**
 * An event pattern that EventBridge would reject with InvalidEventPatternException. `reason` is the
 * text after AWS's prefix (the event-ruler compiler's message); `message` is the full AWS text.
 */
export class InvalidPatternError extends PatternsError {
  readonly reason: string;
  /** 1-based position in the pattern text where the problem was found, when known. */
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(reason: string, position?: { line: number; column: number }) {
    super('INVALID_EVENT_PATTERN', INVALID_PATTERN_PREFIX + reason);
    this.reason = reason;
    this.line = position?.line;
    this.column = position?.column;
  }
}

/** An event that is not a JSON object (AWS: `Parameter Event is not valid.` at the API layer). */
export class InvalidEventError extends PatternsError {
  constructor(reason: string) {
    super('INVALID_EVENT', reason);
  }
}

/**
 * A target's Input / InputPath / InputTransformer that PutTargets must refuse. The message is AWS's
 * ValidationException text, naming the target id.
 */
export class InvalidTargetInputError extends PatternsError {
  constructor(message: string) {
    super('INVALID_TARGET_INPUT', message);
  }
}

/** Coerces anything caught into an Error, so `catch` sites never handle non-errors. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
