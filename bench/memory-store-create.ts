/**
 * What a session create costs the in-memory store as one identity's sessions pile up (an operator who
 * raises MAX_SESSIONS_PER_IDENTITY, or the idle-session step of `npm run bench`, which opens 10,000
 * sessions of one customer): µs per create at each size, one identity and many.
 *
 *   npx ts-node --transpile-only bench/memory-store-create.ts [path/to/memory-session.store.js]
 *
 * With a path, measures that build's store (e.g. another checkout's dist/sessions/memory-session.store.js)
 * instead of this tree's; run both in one session and compare the ratios.
 */
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import type { MemorySessionStore } from '../src/sessions/memory-session.store';
import { sessionRecord } from '../test/support/session-record';

const modulePath = process.argv[2] ? resolve(process.argv[2]) : '../src/sessions/memory-session.store';
const { MemorySessionStore: Store } = require(modulePath) as { MemorySessionStore: new (sweepMs?: number) => MemorySessionStore };

async function run(label: string, total: number, identityOf: (i: number) => string, limits: { maxSessions: number; maxPerIdentity: number }) {
  const store = new Store(3_600_000);
  const marks = [1_000, 5_000, 10_000, 20_000].filter((m) => m <= total);
  let from = 0;
  let t0 = performance.now();
  const out: string[] = [];
  for (let i = 0; i < total; i++) {
    await store.create(sessionRecord(`s${i}`, identityOf(i)), 3600, limits);
    if (i + 1 === marks[0]) {
      out.push(`${from}-${i + 1}: ${(((performance.now() - t0) * 1000) / (i + 1 - from)).toFixed(2)} µs`);
      marks.shift();
      from = i + 1;
      t0 = performance.now();
    }
  }
  await store.close();
  console.log(`${label}: per create, sessions ${out.join(' · ')}`);
}

(async () => {
  console.log(`store: ${modulePath}`);
  await run('one identity, cap 50,000', 20_000, () => 'one', { maxSessions: 100_000, maxPerIdentity: 50_000 });
  await run('one identity at its cap of 100', 20_000, () => 'one', { maxSessions: 100_000, maxPerIdentity: 100 });
  await run('20,000 identities', 20_000, (i) => `id${i}`, { maxSessions: 100_000, maxPerIdentity: 100 });
})();
