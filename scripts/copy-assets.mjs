#!/usr/bin/env node
/**
 * Copies every packages/<name>/src/**\/*.sql to the same relative place under packages/<name>/dist/,
 * because tsc emits only JavaScript and the stores read their migrations and queries at run time next to
 * their module (`new URL('./migrations/', import.meta.url)`).
 *
 * Usage: `node scripts/copy-assets.mjs` from the repository root, or `node ../../scripts/copy-assets.mjs`
 * from a package (its build script does); paths are resolved from this file, not from the working
 * directory. Plain Node, no dependencies.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const ASSET = /\.sql$/;
const root = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = join(root, 'packages');

/** Every asset file under `dir`, recursively (node_modules excluded). */
function findAssets(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') found.push(...findAssets(path));
    } else if (entry.isFile() && ASSET.test(entry.name)) {
      found.push(path);
    }
  }
  return found;
}

let copied = 0;
for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
  if (!entry.isDirectory()) continue;
  const src = join(packagesDir, entry.name, 'src');
  if (!existsSync(src)) continue;
  const dist = join(packagesDir, entry.name, 'dist');
  for (const file of findAssets(src)) {
    const target = join(dist, relative(src, file));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
    copied += 1;
  }
}
process.stdout.write(`copy-assets: ${copied} file(s) copied to packages/*/dist\n`);
