import { readFileSync } from 'node:fs';

/** The conformance data recorded against real AWS lives next to the repository, in ../shared. */
export const CONFORMANCE_DIR = new URL('../../../../../shared/conformance/', import.meta.url);

export function loadConformance<T>(file: string): T[] {
  return JSON.parse(readFileSync(new URL(file, CONFORMANCE_DIR), 'utf8')) as T[];
}

/** Counts passes per data file and prints them once the file's tests have run. */
export function createTally(file: string, total: number): { pass(): void; report(): void } {
  let passed = 0;
  return {
    pass: () => void passed++,
    report: () => console.log(`${file}: ${passed}/${total} cases passed`),
  };
}
