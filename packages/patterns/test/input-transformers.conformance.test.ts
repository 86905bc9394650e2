/**
 * Runs every case of ../shared/conformance/input-transformers.json (recorded against real AWS through
 * an SQS target) through validateTargetInput and renderTargetInput, and reports the pass count.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidTargetInputError } from '../src/errors.js';
import {
  renderTargetInput,
  validateTargetInput,
  type TargetInput,
  type TransformContext,
} from '../src/target-input.js';
import type { JsonObject, JsonValue } from '../src/json.js';

interface ConformanceCase {
  name: string;
  event: JsonObject;
  inputPath?: string;
  inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  context?: TransformContext;
  expected: 'delivered' | 'not-delivered' | 'rejected';
  expectedOutput?: string;
  expectedOutputJson?: JsonValue;
  errorCode?: string;
  error?: string;
}

// From packages/patterns/test/ up to the directory holding the repository, then into shared/.
const DATA_URL = new URL('../../../../shared/conformance/input-transformers.json', import.meta.url);
const cases = JSON.parse(readFileSync(DATA_URL, 'utf8')) as ConformanceCase[];

const TARGET_ID = 'conformance-target';

/** Context for cases that use no `aws.events.*` variable; their output does not depend on it. */
const DEFAULT_CONTEXT: TransformContext = {
  ruleName: 'conformance-rule',
  ruleArn: 'arn:aws:events:us-east-1:111111111111:rule/conformance-rule',
  eventBusName: 'default',
  ingestionTime: '2024-01-01T00:00:00Z',
};

/** Maps the wire shape (InputPathsMap, InputTemplate) to the domain one, as the API layer does. */
function toTargetInput(entry: ConformanceCase): TargetInput {
  const spec: TargetInput = {};
  if (entry.inputPath !== undefined) spec.inputPath = entry.inputPath;
  if (entry.inputTransformer !== undefined) {
    const { InputPathsMap, InputTemplate } = entry.inputTransformer;
    spec.inputTransformer =
      InputPathsMap === undefined
        ? { inputTemplate: InputTemplate }
        : { inputPathsMap: InputPathsMap, inputTemplate: InputTemplate };
  }
  return spec;
}

const passed: string[] = [];

describe('input-transformers.json (recorded against AWS)', () => {
  it('holds the 33 recorded cases', () => {
    expect(cases).toHaveLength(33);
  });

  for (const entry of cases) {
    it(`${entry.name}: ${entry.expected}`, () => {
      const spec = toTargetInput(entry);
      const context = entry.context ?? DEFAULT_CONTEXT;

      if (entry.expected === 'rejected') {
        const expectedMessage = (entry.error ?? '').replaceAll('<target-id>', TARGET_ID);
        let thrown: unknown;
        try {
          validateTargetInput(TARGET_ID, spec);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(InvalidTargetInputError);
        expect((thrown as InvalidTargetInputError).message).toBe(expectedMessage);
        passed.push(entry.name);
        return;
      }

      expect(() => validateTargetInput(TARGET_ID, spec)).not.toThrow();
      const result = renderTargetInput(entry.event, spec, context);

      if (entry.expected === 'not-delivered') {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.code).toBe('INVALID_JSON');
        passed.push(entry.name);
        return;
      }

      if (!result.ok) throw new Error(`expected a delivery, got ${result.code}: ${result.message}`);
      if (entry.expectedOutput !== undefined) {
        expect(result.body).toBe(entry.expectedOutput);
      } else {
        const body = JSON.parse(result.body) as JsonValue;
        if (entry.name === 'predefined_variables_event') {
          // The recording masked originalEvent.time (the ingestion time, whose real format it did not
          // keep) as '<ingestion-time>'. Check it carries the context's ingestion time, then apply the
          // same mask so the rest compares as recorded.
          const original = (body as JsonObject).originalEvent as JsonObject;
          expect(original.time).toBe(context.ingestionTime);
          original.time = '<ingestion-time>';
        }
        expect(body).toEqual(entry.expectedOutputJson);
      }
      passed.push(entry.name);
    });
  }

  afterAll(() => {
    console.log(`input-transformers.json: ${passed.length}/${cases.length} cases passed`);
  });
});
