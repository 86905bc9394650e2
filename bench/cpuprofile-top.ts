/**
 * Summarises a V8 CPU profile (`node --cpu-prof` writes `*.cpuprofile`): the functions with the most
 * self time, and self time by where the code lives (a file of this repository, a package under
 * node_modules, Node's internals, the garbage collector, idle).
 *
 *   npx tsx bench/cpuprofile-top.ts FILE.cpuprofile [TOP=25]
 *
 * `npm run bench:put-events` and `npm run bench:server-memory` write one profile per server child when
 * BUSWAY_BENCH_CPU_PROF names a folder (the main thread's file is the larger one; the other is tsx's
 * module-loader thread).
 */
import { readFileSync } from 'node:fs';
import { formatTable } from './report.js';
import { REPO_ROOT } from './server-harness.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: tsx bench/cpuprofile-top.ts FILE.cpuprofile [TOP]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
// timeDeltas[i] is the time before sample i; the sample's stack ran for the next delta.
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i] as number;
  const delta = profile.timeDeltas[i + 1] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, delta));
}
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string): string => {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) return path.slice(nm + '/node_modules/'.length);
  return path.startsWith(REPO_ROOT) ? path.slice(REPO_ROOT.length) : path;
};
const whereOf = (node: ProfileNode): string => {
  const { functionName, url } = node.callFrame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node: internals';
  const short = shortUrl(url);
  if (url.includes('/node_modules/')) {
    const parts = short.split('/');
    return `node_modules/${parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  return short;
};

const functions = new Map<string, number>();
const places = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (node === undefined) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'}  ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
  functions.set(key, (functions.get(key) ?? 0) + us);
  const where = whereOf(node);
  places.set(where, (places.get(where) ?? 0) + us);
}

const pct = (us: number): string => `${((100 * us) / totalUs).toFixed(1)}%`;
const ms = (us: number): string => (us / 1000).toFixed(0);
console.log(`# ${file}`);
console.log(`# ${(totalUs / 1e6).toFixed(1)} s of samples (${profile.samples.length} samples)`);
console.log();
console.log(`## top ${top} functions by self time`);
const fnRows = [...functions].sort((a, b) => b[1] - a[1]).slice(0, top);
for (const line of formatTable([
  ['function  location', 'self ms', 'share'],
  ...fnRows.map(([k, us]) => [k, ms(us), pct(us)]),
])) {
  console.log(line);
}
console.log();
console.log('## self time by place');
const placeRows = [...places].sort((a, b) => b[1] - a[1]).slice(0, top);
for (const line of formatTable([
  ['place', 'self ms', 'share'],
  ...placeRows.map(([k, us]) => [k, ms(us), pct(us)]),
])) {
  console.log(line);
}
