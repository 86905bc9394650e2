/**
 * EventBridge's own answers, recorded against real AWS (../shared/conformance): every case must give
 * the same match, no-match or error text. Patterns and events are fed as the exact JSON text AWS got.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidEventError, InvalidPatternError, parsePattern, testEventPattern } from '../src/index.js';
import { createTally, loadConformance } from './support/conformance.js';

interface PatternCase {
  name: string;
  expected: 'match' | 'no-match' | 'invalid-pattern' | 'invalid-event';
  eventJson: string;
  patternJson?: string;
  pattern: unknown;
  error?: string;
}

function patternText(c: PatternCase): string {
  return c.patternJson ?? (typeof c.pattern === 'string' ? c.pattern : JSON.stringify(c.pattern));
}

function runCase(c: PatternCase): void {
  switch (c.expected) {
    case 'match':
    case 'no-match':
      expect(testEventPattern(patternText(c), c.eventJson)).toBe(c.expected === 'match');
      return;
    case 'invalid-pattern': {
      const attempt = (): unknown => parsePattern(patternText(c));
      expect(attempt).toThrow(InvalidPatternError);
      expect(attempt).toThrow(c.error);
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).toBe(c.error);
      }
      return;
    }
    case 'invalid-event':
      expect(() => testEventPattern(patternText(c), c.eventJson)).toThrow(InvalidEventError);
      return;
  }
}

for (const file of [
  'event-patterns.json',
  'event-patterns-unverified.json',
  'event-patterns-invalid-event.json',
]) {
  const cases = loadConformance<PatternCase>(file);
  const tally = createTally(file, cases.length);
  describe(file, () => {
    afterAll(() => tally.report());
    for (const c of cases) {
      it(`${c.name}: ${c.expected}`, () => {
        runCase(c);
        tally.pass();
      });
    }
  });
}
