// Stand-alone: how much of a short-lived object graph V8's minor GC promotes when a closure over the
// graph's owner was stored on another short-lived object (the pattern of the MCP SDK's per-request
// server: Protocol.connect stores callbacks that capture `this` on the per-request transport).
// 32 "requests" in flight, each builds a graph, optionally stores such a closure, waits 5 ms, ends.
//   node --trace-gc-nvp bench/closure-retention.js closure | node bench/closure-retention.js --sum
// Variants: none (nothing stored), plain (the owner itself stored), closure (a closure over `this` stored),
// const (a closure capturing nothing stored). docs/performance.md, round 6 ("what a finished 2026 request kept").
'use strict';
if (process.argv[2] === '--sum') {
  let text = '';
  process.stdin.on('data', (d) => (text += d));
  process.stdin.on('end', () => {
    let promoted = 0;
    let allocated = 0;
    let scavenges = 0;
    for (const line of text.split('\n')) {
      if (!/ gc=s /.test(line)) continue;
      scavenges++;
      if (scavenges <= 3) continue; // start-up
      promoted += Number(/ promoted=(\d+)/.exec(line)[1]);
      allocated += Number(/ allocated=(\d+)/.exec(line)[1]);
    }
    console.log(`${scavenges} scavenges; promoted ${((promoted / allocated) * 1000).toFixed(1)} KB per MB allocated`);
  });
  return;
}
const variant = process.argv[2] ?? 'closure';
function graph() {
  const parts = [];
  for (let i = 0; i < 40; i++) parts.push({ i, s: `x${i}`, m: new Map([[i, { i }]]) });
  return { parts };
}
class Owner {
  constructor() {
    this.graph = graph();
  }
  attach(target) {
    target.callback = () => this;
  }
}
async function request() {
  const owner = new Owner();
  const target = {};
  if (variant === 'closure') owner.attach(target);
  else if (variant === 'plain') target.callback = owner;
  else if (variant === 'const') target.callback = () => 1;
  await new Promise((resolve) => setTimeout(resolve, 5));
}
const end = Date.now() + 8000;
Promise.all(
  Array.from({ length: 32 }, async () => {
    while (Date.now() < end) await request();
  }),
).then(() => process.stdout.write('done\n'));
