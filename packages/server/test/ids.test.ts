import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../src/ids/time-ordered-id.js';

describe('timeOrderedId', () => {
  it('is a version 7 UUID with the RFC variant', () => {
    const id = timeOrderedId(Date.UTC(2026, 10, 23));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id.slice(0, 8) + id.slice(9, 13)).toBe(Date.UTC(2026, 10, 23).toString(16).padStart(12, '0'));
  });

  it('sorts by creation, also within one millisecond and across milliseconds', () => {
    const ids: string[] = [];
    for (let ms = 1_800_000_000_000; ms < 1_800_000_000_005; ms++)
      for (let i = 0; i < 500; i++) ids.push(timeOrderedId(ms));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
