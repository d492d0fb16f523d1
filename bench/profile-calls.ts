/**
 * CPU profile of the server under a `tools/call` load (20 ms upstream latency):
 * `PROF=1 PROF_DIR=/tmp/prof npx ts-node --transpile-only bench/profile-calls.ts`, then
 * `npx ts-node --transpile-only bench/analyze-cpuprofile.ts /tmp/prof/*.cpuprofile`. Without PROF it
 * only prints calls/s and latency (the load generator here is `fetch`, in one process with the emulator).
 *
 * PROF_SECONDS (8), PROF_CONCURRENCY (32 calls in flight), BENCH_SERVER_ENTRY (another build, for
 * A/B; compare two profiles per call with bench/compare-cpuprofiles.ts), PROF_LOGS=1 (the server's
 * stdout, i.e. its log and audit lines, to this terminal; by default to /dev/null as in `npm run bench`),
 * PROF_NODE_FLAGS (node flags for the server, e.g. `--trace-deopt` with PROF_LOGS=1, or
 * `-r $PWD/bench/alloc-sample.js` with ALLOC_PROF_FILE for bytes allocated per call, read by
 * bench/analyze-allocations.ts), PROF_GC=1 (the collector's work per call during
 * the load, from the server's --trace-gc-nvp lines: minor-collection pauses, helper-thread time, bytes
 * promoted, survived and allocated), PROF_LINGER_MS (keep the server up that
 * long after the load, for a preload that looks at what outlives it), PROF_ERA=2026 (the
 * same calls as 2026-07-28 requests: no session, the revision's `_meta` and headers).
 */
import { spawn } from 'node:child_process';
import { startEmulator } from '../test/emulator/emulator';
import { generateFixture } from '../test/emulator/generate';
import { rawInitialize, rawPost } from '../test/support/mcp-client';
import { freePort } from '../test/support/server-process';
import { benchTool } from './bench-tool';
/** Sums what --trace-gc-nvp reports per collection (minor: scavenges or minor mark-sweeps; full: mark-compacts). */
class GcAccount {
  private buffered = '';
  private readonly minor: Array<{ pause: number; background: number; promoted: number; survived: number; allocated: number }> = [];
  private full = 0;

  add(text: string): void {
    const lines = (this.buffered + text).split('\n');
    this.buffered = lines.pop() ?? '';
    for (const line of lines) {
      const field = (name: string) => Number(new RegExp(` ${name.replaceAll('.', '\\.')}=([0-9.]+)`).exec(line)?.[1] ?? 0);
      if (/ gc=(s|mms) /.test(line))
        this.minor.push({
          pause: field('pause'),
          background: field('background.scavenge.parallel') + field('background.mark'),
          promoted: field('promoted'),
          survived: field('new_space_survived'),
          allocated: field('allocated'),
        });
      else if (/ gc=mc /.test(line)) this.full++;
      else if (process.env.PROF_LOGS) process.stdout.write(`${line}\n`);
    }
  }

  /** Where the measured part of the run starts: the collections counted so far. */
  mark(): { minor: number; full: number } {
    return { minor: this.minor.length, full: this.full };
  }

  /** The collections since `from`, per call. */
  perCall(calls: number, from: { minor: number; full: number }): string {
    const m = this.minor.slice(from.minor);
    const sum = (k: keyof (typeof m)[number]) => m.reduce((a, x) => a + x[k], 0);
    return (
      `gc per call: ${m.length} minor + ${this.full - from.full} full collections; minor pauses ${((sum('pause') * 1000) / calls).toFixed(1)} us + helper threads ` +
      `${((sum('background') * 1000) / calls).toFixed(1)} us; promoted ${(sum('promoted') / calls / 1000).toFixed(1)} KB, survived ${(sum('survived') / calls / 1000).toFixed(1)} KB, ` +
      `allocated ${(sum('allocated') / calls / 1000).toFixed(1)} KB`
    );
  }
}

const H = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18' };
(async () => {
  const fixture = generateFixture({ customers: 2, connections: 20, actionsPerIntegration: 30 });
  const em = await startEmulator({ fixture, latencyMs: 20 });
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...(process.env.PROF_NODE_FLAGS ? process.env.PROF_NODE_FLAGS.split(' ').filter(Boolean) : []),
      ...(process.env.PROF_GC ? ['--trace-gc-nvp'] : []),
      ...(process.env.PROF
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROF_DIR ?? '.', '-r', require('node:path').join(__dirname, 'exit-on-sigusr2.js')]
        : []),
      process.env.BENCH_SERVER_ENTRY ?? require('node:path').join(__dirname, '..', 'dist', 'main.js'),
    ],
    {
      cwd: process.env.PROF_DIR ?? process.cwd(),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        INTEGRATION_APP_API_URL: em.url,
        INTEGRATION_APP_WORKSPACE_SECRET: 'bench-secret',
        RATE_LIMIT_PER_MINUTE: '0',
        // One customer with 32 calls in flight: lift the per-tenant concurrency cap, or most calls
        // are refused at once and the profile measures refusals.
        MAX_CONCURRENT_CALLS_PER_IDENTITY: '1000',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      },
      // Logs (the audit line per call) go to /dev/null as in `npm run bench`; PROF_LOGS=1 keeps them on stdout.
      stdio: ['ignore', process.env.PROF_GC ? 'pipe' : process.env.PROF_LOGS ? 'inherit' : 'ignore', 'inherit'],
    },
  );
  // PROF_GC=1: the collector's own account of the run (--trace-gc-nvp), summed per call at the end.
  const gc = new GcAccount();
  child.stdout?.on('data', (chunk: Buffer) => gc.add(chunk.toString()));
  // Up when it answers (a busy machine, or --cpu-prof, can take longer than a fixed wait).
  for (let waited = 0; ; waited += 250) {
    const up = await fetch(`http://127.0.0.1:${port}/health`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (waited > 60_000) throw new Error('the server did not start within 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  const base = `http://127.0.0.1:${port}/mcp`;
  const token = em.token('customer-0');
  const auth = { ...H, Authorization: `Bearer ${token}` };
  const sid = await rawInitialize(`http://127.0.0.1:${port}`, token);
  const tl = (await rawPost(`http://127.0.0.1:${port}`, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { ...auth, 'Mcp-Session-Id': sid })).json as {
    result: { tools: Array<{ name: string; inputSchema?: { required?: string[] } }> };
  };
  // The same action on every build (bench-tool.ts).
  const name = benchTool(tl.result.tools);
  const stateless = process.env.PROF_ERA === '2026';
  const meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'profile', version: '0' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  const headers = stateless
    ? { ...auth, 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': name }
    : { ...auth, 'Mcp-Session-Id': sid };
  const params = stateless ? { name, arguments: {}, _meta: meta } : { name, arguments: {} };
  const concurrency = Number(process.env.PROF_CONCURRENCY ?? 32);
  const latencies: number[] = [];
  let n = 0;
  let failed = 0;
  const seconds = Number(process.env.PROF_SECONDS ?? 8);
  const end = Date.now() + seconds * 1000;
  const gcAtStart = gc.mark();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const r = await fetch(base, {
          method: 'POST',
          headers,
          body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params }),
        });
        const body = await r.text();
        latencies.push(performance.now() - t0);
        if (!r.ok || body.includes('"isError":true') || body.includes('"error":')) failed++;
        n++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2);
  console.log('calls', n, 'calls/s', n / seconds, 'failed', failed, 'latency ms p50', at(0.5), 'p90', at(0.9), 'p99', at(0.99));
  if (process.env.PROF_GC) console.log(gc.perCall(n, gcAtStart));
  // With PROF the server writes its profiles as it exits (large ones take seconds): wait for that.
  // PROF_LINGER_MS: keep the server up that long after the load (for a preload that measures what outlives it).
  await new Promise((r) => setTimeout(r, Number(process.env.PROF_LINGER_MS ?? 0)));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(process.env.PROF ? 'SIGUSR2' : 'SIGKILL');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
  await em.close();
  process.exit(0);
})();
