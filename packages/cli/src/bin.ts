#!/usr/bin/env node
import { run } from './cli.js';

run(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`busway: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
