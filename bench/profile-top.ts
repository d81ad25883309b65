/**
 * Where a server's CPU went, from a V8 .cpuprofile (node --cpu-prof, or the benches' BENCH_*_PROFILE): the busy
 * time per request, self time by area (a package under node_modules, a file of src/, node's internals, the
 * garbage collector) and by function, and the inclusive time of the functions that most requests pass through.
 * Prints tables; asserts nothing.
 *
 *   npx tsx bench/profile-top.ts FILE.cpuprofile REQUESTS [ROWS]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, requestsArg, rowsArg] = process.argv.slice(2);
if (!file || !requestsArg) {
  console.log('usage: npx tsx bench/profile-top.ts FILE.cpuprofile REQUESTS [ROWS]');
  process.exit(2);
}
const requests = Number(requestsArg);
const rows = Number(rowsArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** The package under node_modules, the file under src/, or what V8 calls the frame. */
function area(n: Node): string {
  const { url, functionName } = n.callFrame;
  if (!url) return `(${functionName || 'anonymous'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const src = /\/(src\/.*|bench\/.*)$/.exec(url);
  if (src) return src[1]!;
  if (url.startsWith('node:')) return url;
  return url;
}
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${area(n)}:${n.callFrame.lineNumber + 1}`;

// Each sample's time is the delta that follows it (V8's convention).
const self = new Map<number, number>();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + dt);
  total += dt;
}
const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((s, [, t]) => s + t, 0);
const busy = total - idle;

const sum = (key: (n: Node) => string) => {
  const m = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') continue;
    m.set(key(n), (m.get(key(n)) ?? 0) + t);
  }
  return [...m].sort((a, b) => b[1] - a[1]);
};

// Inclusive: every distinct function on a sample's stack gets the sample's time once.
const inclusive = new Map<string, number>();
for (const [id, t] of self) {
  if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const n = byId.get(at)!;
    if (!n.callFrame.url) continue;
    const l = label(n);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + t);
  }
}

const perReq = (ms: number) => ((ms / requests) * 1000).toFixed(1);
const share = (ms: number) => ((ms / busy) * 100).toFixed(1);
console.log(`\n${file}: ${(total / 1000).toFixed(2)} s profiled, ${(busy / 1000).toFixed(2)} s busy, ${requests} requests: ${perReq(busy)} µs busy per request\n`);
const table = (title: string, entries: Array<[string, number]>) => {
  console.log(`| ${title} | µs/request | share of busy |`);
  console.log('|---|---:|---:|');
  for (const [k, t] of entries.slice(0, rows)) console.log(`| ${k.replace(/\|/g, '\\|')} | ${perReq(t)} | ${share(t)} % |`);
  console.log('');
};
table('self time by area', sum(area));
table('self time by function', sum(label));
table('inclusive time by function', [...inclusive].sort((a, b) => b[1] - a[1]));
