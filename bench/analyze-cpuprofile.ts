/**
 * Reads a `.cpuprofile` (from `node --cpu-prof`, e.g. `PROF=1 PROF_DIR=/tmp/prof ts-node bench/profile-calls.ts`).
 *
 *   ts-node bench/analyze-cpuprofile.ts FILE                 self time by package and by function
 *   ts-node bench/analyze-cpuprofile.ts FILE --inclusive     inclusive time by function (what a call costs with its callees)
 *   ts-node bench/analyze-cpuprofile.ts FILE --subtree NAME  what the functions whose label starts with NAME spend their time in
 *   ts-node bench/analyze-cpuprofile.ts FILE --callers NAME  the call chains that lead to them
 *
 * Percentages are of busy time (idle excluded; start-up included, so keep the profiled run long).
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
const [file, mode, arg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[] };
const byId = new Map<number, Node>();
const parent = new Map<number, number>();
for (const n of profile.nodes) {
  byId.set(n.id, n);
  for (const c of n.children ?? []) parent.set(c, n.id);
}
const isIdle = (n: Node) => n.callFrame.functionName === '(idle)';
const label = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/')}:${n.callFrame.lineNumber + 1}`;
const total = profile.nodes.reduce((s, n) => s + (isIdle(n) ? 0 : (n.hitCount ?? 0)), 0);
const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
const show = (m: Map<string, number>, n: number, indent = '') =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .forEach(([k, v]) => console.log(`${indent}${pct(v)}  ${k}`));
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

const inclusiveOf = new Map<number, number>();
const inclusive = (id: number): number => {
  const cached = inclusiveOf.get(id);
  if (cached !== undefined) return cached;
  const n = byId.get(id)!;
  const v = (isIdle(n) ? 0 : (n.hitCount ?? 0)) + (n.children ?? []).reduce((s, c) => s + inclusive(c), 0);
  inclusiveOf.set(id, v);
  return v;
};

console.log(`busy samples: ${total} (percentages are of busy time)`);
if (mode === '--inclusive') {
  const byFn = new Map<string, number>();
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits || isIdle(n)) continue;
    const seen = new Set<string>();
    for (let cur: number | undefined = n.id; cur !== undefined; cur = parent.get(cur)) {
      const k = label(byId.get(cur)!);
      if (!seen.has(k)) add(byFn, k, hits);
      seen.add(k);
    }
  }
  show(byFn, 60);
} else if (mode === '--subtree' || mode === '--callers') {
  const children = new Map<string, number>();
  const chains = new Map<string, number>();
  let all = 0;
  let self = 0;
  const visit = (id: number, inside: boolean): void => {
    const n = byId.get(id)!;
    const match = !inside && label(n).startsWith(arg);
    if (match) {
      all += inclusive(id);
      self += n.hitCount ?? 0;
      for (const c of n.children ?? []) add(children, label(byId.get(c)!), inclusive(c));
      const chain: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && chain.length < 8; cur = parent.get(cur)) chain.push(label(byId.get(cur)!));
      add(chains, chain.join(' < '), inclusive(id));
    }
    for (const c of n.children ?? []) visit(c, inside || match);
  };
  visit(profile.nodes[0].id, false);
  console.log(`${pct(all)}  ${arg}… (self ${pct(self).trim()})`);
  show(mode === '--subtree' ? children : chains, 25, '  ');
} else {
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits || isIdle(n)) continue;
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    add(byFn, label(n), hits);
    const pkg =
      /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
      (url.includes('/dist/') ? 'our code (dist)' : url.startsWith('node:') ? 'node core' : url || `(${n.callFrame.functionName})`);
    add(byPkg, pkg, hits);
  }
  console.log('-- by package --');
  show(byPkg, 20);
  console.log('-- by function (self) --');
  show(byFn, 30);
}
