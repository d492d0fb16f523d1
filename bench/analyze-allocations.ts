/**
 * Bytes allocated per call, by file or package (default) or by function, from a sampling heap profile
 * that includes collected objects (bench/alloc-sample.js):
 *
 *   ts-node bench/analyze-allocations.ts PROFILE CALLS [--functions] [--top N]
 *
 * Start-up allocations are included: keep runs long (PROF_SECONDS=20) so they weigh little per call.
 */
import { readFileSync } from 'node:fs';
import { type CallFrame, groupOf } from './profile-frames';

interface ProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  children: ProfileNode[];
}

const [file, callsArg, ...rest] = process.argv.slice(2);
const byFunction = rest.includes('--functions');
const topAt = rest.indexOf('--top');
const top = topAt >= 0 ? Number(rest[topAt + 1]) : 30;
const calls = Number(callsArg);
if (!file || !calls) throw new Error('usage: analyze-allocations.ts PROFILE CALLS [--functions] [--top N]');
const head = (JSON.parse(readFileSync(file, 'utf8')) as { head: ProfileNode }).head;
const out = new Map<string, number>();
let total = 0;
const walk = (node: ProfileNode) => {
  if (node.selfSize) {
    const g = groupOf(node.callFrame, byFunction);
    out.set(g, (out.get(g) ?? 0) + node.selfSize);
    total += node.selfSize;
  }
  for (const c of node.children) walk(c);
};
walk(head);
console.log(`bytes allocated per call: ${(total / calls).toFixed(0)}`);
for (const [g, bytes] of [...out].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(bytes / calls).toFixed(0).padStart(8)}  ${g}`);
