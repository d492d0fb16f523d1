/** Prints self time by function and by package from a `.cpuprofile` (usage: ts-node bench/analyze-cpuprofile.ts FILE). */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
const profile = JSON.parse(readFileSync(process.argv[2], 'utf8')) as { nodes: Node[]; samples: number[] };
const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
const total = profile.samples.filter((id) => !idleIds.has(id)).length;
const byFn = new Map<string, number>();
const byPkg = new Map<string, number>();
for (const n of profile.nodes) {
  const hits = n.hitCount ?? 0;
  if (!hits || idleIds.has(n.id)) continue;
  const url = n.callFrame.url.replace(/^file:\/\//, '');
  const fn = `${n.callFrame.functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + hits);
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/dist/') ? 'our code (dist)' : url.startsWith('node:') ? 'node core' : url || `(${n.callFrame.functionName})`);
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + hits);
}
const show = (m: Map<string, number>, n: number) =>
  [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([k, v]) => console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`));
console.log(`busy samples: ${total} (percentages are of busy time)\n-- by package --`);
show(byPkg, 20);
console.log('-- by function (self) --');
show(byFn, 30);
