/**
 * Where two builds differ in CPU per call: self time of two `.cpuprofile`s (from bench/profile-calls.ts
 * with PROF=1, one per build), each divided by the calls it served, grouped by file or package
 * (default) or by function, largest difference first:
 *
 *   ts-node bench/compare-cpuprofiles.ts BEFORE.cpuprofile CALLS_BEFORE AFTER.cpuprofile CALLS_AFTER [--functions] [--top N]
 *
 * Start-up is included in both (module loading shows as node:internal/modules); keep the runs long
 * (PROF_SECONDS=20) so that it weighs little per call.
 */
import { readFileSync } from 'node:fs';
import { groupOf } from './profile-frames';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: Node[];
  samples: number[];
  startTime: number;
  endTime: number;
}

/** Microseconds of self time per call, by group (idle excluded). */
function perCall(file: string, calls: number, byFunction: boolean): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const usPerSample = (profile.endTime - profile.startTime) / profile.samples.length;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    const key = groupOf(frame, byFunction);
    out.set(key, (out.get(key) ?? 0) + usPerSample / calls);
  }
  return out;
}

const args = process.argv.slice(2);
const [beforeFile, beforeCalls, afterFile, afterCalls] = args;
if (!afterCalls) {
  console.error('usage: compare-cpuprofiles.ts BEFORE.cpuprofile CALLS AFTER.cpuprofile CALLS [--functions] [--top N]');
  process.exit(2);
}
const byFunction = args.includes('--functions');
const top = Number(args[args.indexOf('--top') + 1]) || 40;
const before = perCall(beforeFile, Number(beforeCalls), byFunction);
const after = perCall(afterFile, Number(afterCalls), byFunction);
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
console.log(`CPU per call: before ${sum(before).toFixed(1)} µs, after ${sum(after).toFixed(1)} µs (${(sum(after) - sum(before)).toFixed(1)} µs)`);
const rows = [...new Set([...before.keys(), ...after.keys()])].map((k) => ({ k, b: before.get(k) ?? 0, a: after.get(k) ?? 0 }));
rows.sort((x, y) => Math.abs(y.a - y.b) - Math.abs(x.a - x.b));
console.log('  change   before    after  where');
for (const r of rows.slice(0, top)) {
  const d = r.a - r.b;
  console.log(`${(d >= 0 ? '+' : '') + d.toFixed(1)}`.padStart(8), r.b.toFixed(1).padStart(8), r.a.toFixed(1).padStart(8), '', r.k);
}
