/**
 * Content filtering observed end to end on AWS (PutEvents → rule → target), recorded in
 * ../shared/conformance/put-events-filtering.json. The envelope is built the way a bus builds it: the
 * entry's Detail text goes in verbatim, so numbers keep the spelling the publisher used.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRuleMatcher, renderTargetInput, type JsonObject, type TargetInput } from '../src/index.js';
import { createTally, loadConformance } from './support/conformance.js';

interface FilteringCase {
  name: string;
  expected: 'match' | 'no-match';
  pattern: JsonObject;
  putEventsEntry: { Source: string; DetailType: string; Detail: string };
  event: JsonObject;
  inputPath?: string;
  deliveredBody?: JsonObject;
  comments?: string[];
}

function envelopeText(c: FilteringCase): string {
  const e = c.event;
  const head = JSON.stringify({
    version: e['version'],
    id: e['id'],
    'detail-type': c.putEventsEntry.DetailType,
    source: c.putEventsEntry.Source,
    account: e['account'],
    time: e['time'],
    region: e['region'],
    resources: [],
  });
  return `${head.slice(0, -1)},"detail":${c.putEventsEntry.Detail}}`;
}

/** What the recorded target was configured with: an InputPath, or the transformer its comments name. */
function targetInputOf(c: FilteringCase): TargetInput {
  if (c.inputPath !== undefined) return { inputPath: c.inputPath };
  const wrapper = c.deliveredBody && Object.keys(c.deliveredBody)[0];
  if (wrapper !== undefined && wrapper !== 'version') {
    // test_process_pattern_to_single_matching_rules_single_target wraps $.detail under a key per rule.
    return {
      inputTransformer: { inputPathsMap: { detail: '$.detail' }, inputTemplate: `{"${wrapper}": <detail>}` },
    };
  }
  return {};
}

const file = 'put-events-filtering.json';
const cases = loadConformance<FilteringCase>(file);
const tally = createTally(file, cases.length);

describe(file, () => {
  afterAll(() => tally.report());
  for (const c of cases) {
    it(`${c.name}: ${c.expected}`, () => {
      const matcher = createRuleMatcher<string>();
      matcher.add('rule', c.pattern);
      const text = envelopeText(c);
      const matched = matcher.match(text);
      expect(matched).toEqual(c.expected === 'match' ? ['rule'] : []);
      if (c.expected === 'match' && c.deliveredBody !== undefined) {
        const event = JSON.parse(text) as JsonObject;
        const result = renderTargetInput(event, targetInputOf(c), {
          ruleName: 'rule',
          ruleArn: 'arn:aws:events:us-east-1:111111111111:rule/rule',
          eventBusName: 'default',
          ingestionTime: 'date',
        });
        expect(result.ok).toBe(true);
        const body = JSON.parse(result.ok ? result.body : 'null') as JsonObject;
        // Event ids are live values; the recording numbers them (<uuid:2>) where we keep the input's.
        if ('id' in body) body['id'] = c.deliveredBody['id'] ?? null;
        expect(body).toEqual(c.deliveredBody);
      }
      tally.pass();
    });
  }
});
