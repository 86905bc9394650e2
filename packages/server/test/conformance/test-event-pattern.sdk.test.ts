/**
 * TestEventPattern through the wire: every pattern case recorded against real AWS
 * (../shared/conformance/event-patterns*.json) sent by the real AWS SDK v3 to a real Busway server,
 * with the exact pattern and event text AWS received. Match and no-match come back as `Result`,
 * invalid patterns as InvalidEventPatternException with AWS's message, invalid events as
 * ValidationException `Parameter Event is not valid.`. The pass count per file is printed at the end.
 */
import { readFileSync } from 'node:fs';
import { TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface PatternCase {
  name: string;
  expected: 'match' | 'no-match' | 'invalid-pattern' | 'invalid-event';
  eventJson: string;
  patternJson?: string;
  pattern: unknown;
  error?: string;
}

/** packages/server/test/conformance -> the repository's sibling folder shared/conformance. */
const CONFORMANCE_DIR = new URL('../../../../../shared/conformance/', import.meta.url);
const FILES = ['event-patterns.json', 'event-patterns-unverified.json', 'event-patterns-invalid-event.json'];

function load(file: string): PatternCase[] {
  return JSON.parse(readFileSync(new URL(file, CONFORMANCE_DIR), 'utf8')) as PatternCase[];
}

/** The pattern exactly as AWS got it: the recorded JSON text, or the raw string when it is not JSON. */
function patternText(c: PatternCase): string {
  return c.patternJson ?? (typeof c.pattern === 'string' ? c.pattern : JSON.stringify(c.pattern));
}

let server: TestServer;
const passed = new Map<string, number>();
const totals = new Map<string, number>();

beforeAll(async () => {
  server = await startTestServer({ overrides: { maxEventPatternLength: 4096 } });
});

afterAll(async () => {
  for (const file of FILES) {
    console.log(
      `${file}: ${passed.get(file) ?? 0}/${totals.get(file) ?? 0} cases passed via TestEventPattern`,
    );
  }
  await server?.close();
});

for (const file of FILES) {
  const cases = load(file);
  totals.set(file, cases.length);

  describe(file, () => {
    it('has cases', () => {
      expect(cases.length).toBeGreaterThan(0);
    });

    for (const [index, c] of cases.entries()) {
      it(`${index} ${c.name} (${c.expected})`, async () => {
        const send = server.client.send(
          new TestEventPatternCommand({ EventPattern: patternText(c), Event: c.eventJson }),
        );
        switch (c.expected) {
          case 'match':
          case 'no-match': {
            const out = await send;
            expect(out.Result).toBe(c.expected === 'match');
            break;
          }
          case 'invalid-pattern':
            await expectAwsError(send, 'InvalidEventPatternException', c.error);
            break;
          case 'invalid-event':
            await expectAwsError(send, 'ValidationException', 'Parameter Event is not valid.');
            break;
        }
        passed.set(file, (passed.get(file) ?? 0) + 1);
      });
    }
  });
}
