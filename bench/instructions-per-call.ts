/**
 * Instructions the server executes per `tools/call`, counted by valgrind's callgrind: other work on the
 * machine does not slow a count down as it slows CPU time, so builds compare on a busy machine too.
 * Not exact: when V8 compiles and collects depends on timing (runs of one build differed by up to ≈ 8 %).
 *
 *   npm run build && npx ts-node --transpile-only bench/instructions-per-call.ts
 *   BENCH_SERVER_ENTRY=/other/build/dist/main.js npx ts-node --transpile-only bench/instructions-per-call.ts
 *
 * The server runs under `valgrind --tool=callgrind` (every thread: V8's compiler and GC helpers and
 * libuv's pool count too). After start-up, one session and IC_WARMUP calls (JIT tier-up), the counters
 * are zeroed (`callgrind_control -z`), IC_CALLS calls run IC_CONCURRENCY at a time, and the counters
 * are dumped (`callgrind_control -d`): instructions / IC_CALLS. Defaults: 6,000 warm-up calls, 3,000
 * measured, 8 in flight, 24×30 tools, 5 ms upstream latency, logs at warn to /dev/null (IC_LOG_LEVEL=info:
 * access and audit lines to a pipe this process drains), IC_ERA=2026 (the same calls as 2026-07-28 requests: no
 * session, the revision's `_meta` and headers; compare the two eras of one build). Needs valgrind (Debian: `apt-get install valgrind`).
 *
 * The warm-up matters: after 1,500 calls V8 was still optimizing (TurboFan's own work was ≈ 16 % of
 * the count, more for a build with more code on the path).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../test/emulator/emulator';
import { generateFixture } from '../test/emulator/generate';
import { INIT_BODY, MCP_HEADERS, rawInitialize, rawPost } from '../test/support/mcp-client';
import { freePort } from '../test/support/server-process';
import { benchTool } from './bench-tool';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const WARMUP = num('IC_WARMUP', 6000);
const CALLS = num('IC_CALLS', 3000);
const CONCURRENCY = num('IC_CONCURRENCY', 8);

(async () => {
  const fixture = generateFixture({ customers: 2, connections: 24, actionsPerIntegration: 30 });
  const em = await startEmulator({ fixture, latencyMs: 5, keepAliveTimeoutMs: 120_000 });
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'callgrind-'));
  const entry = process.env.BENCH_SERVER_ENTRY ?? join(__dirname, '..', 'dist', 'main.js');
  const logLevel = process.env.IC_LOG_LEVEL;
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--smc-check=all-non-file', '--dump-instr=no', `--callgrind-out-file=${join(dir, 'callgrind.out.%p')}`, process.execPath, entry],
    {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        INTEGRATION_APP_API_URL: em.url,
        INTEGRATION_APP_WORKSPACE_KEY: 'bench',
        INTEGRATION_APP_WORKSPACE_SECRET: 'bench-secret',
        RATE_LIMIT_PER_MINUTE: '0',
        MAX_CONCURRENT_CALLS_PER_IDENTITY: '1000',
        LOG_LEVEL: logLevel ?? 'warn',
      },
      stdio: ['ignore', logLevel ? 'pipe' : 'ignore', 'ignore'],
    },
  );
  child.stdout?.resume();
  const server = `http://127.0.0.1:${port}`;
  const base = `${server}/mcp`;
  try {
    const deadline = Date.now() + 600_000;
    for (;;) {
      try {
        await fetch(`${server}/health/live`);
        break;
      } catch {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error('the server did not start under valgrind');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const token = em.token('customer-0');
    const sessionId = await rawInitialize(server, token);
    const headers = { ...MCP_HEADERS, 'MCP-Protocol-Version': INIT_BODY.params.protocolVersion, Authorization: `Bearer ${token}`, 'Mcp-Session-Id': sessionId };
    const list = (await rawPost(server, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers)).json as {
      result: { tools: Array<{ name: string; inputSchema: { required?: string[] } }> };
    };
    // The same action on every build (bench-tool.ts).
    const name = benchTool(list.result.tools);
    const stateless = process.env.IC_ERA === '2026';
    const callHeaders: Record<string, string> = stateless
      ? { ...MCP_HEADERS, Authorization: `Bearer ${token}`, 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': name }
      : headers;
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'instructions-per-call', version: '0' },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const callBody = JSON.stringify({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: stateless ? { name, arguments: {}, _meta: meta } : { name, arguments: {} },
    });
    let resets = 0;
    // Under valgrind on a loaded machine the server can be slow enough that a kept-alive connection
    // is reset as the client reuses it (ECONNRESET before any answer): such a call is sent again
    // (and counted: the server's share of the lost attempt is in the count).
    const post = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fetch(base, { method: 'POST', headers: callHeaders, body: callBody });
        } catch (err) {
          if (attempt >= 5) throw err;
          resets++;
        }
      }
    };
    const run = async (calls: number) => {
      let next = 0;
      let failed = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < calls) {
            next++;
            const res = await post();
            const body = await res.text();
            if (!res.ok || body.includes('"isError":true')) {
              failed++;
              if (failed === 1) console.error(`a call failed: HTTP ${res.status} ${body.slice(0, 300)}`);
            }
          }
        }),
      );
      if (failed) throw new Error(`${failed} of ${calls} calls failed`);
    };
    await run(WARMUP);
    // vgdb finds valgrind's pipes by the HOST variable the server was started with (its bind address).
    const control = (command: string) =>
      execFileSync('callgrind_control', [command, String(child.pid)], { stdio: 'ignore', env: { ...process.env, HOST: '127.0.0.1' } });
    control('-z');
    const resetsBefore = resets;
    await run(CALLS);
    const resent = resets - resetsBefore;
    control('-d');
    // The dump is written when valgrind next looks at its command pipe: wait for it.
    let dump: string | undefined;
    for (let i = 0; i < 600 && !dump; i++) {
      dump = readdirSync(dir)
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .find((text) => /^totals: /m.test(text));
      if (!dump) await new Promise((r) => setTimeout(r, 500));
    }
    const total = Number(/^totals: (\d+)/m.exec(dump ?? '')?.[1]);
    if (!total) throw new Error(`no callgrind dump with totals in ${dir}: ${readdirSync(dir).join(', ')}`);
    const result = {
      entry,
      era: process.env.IC_ERA === '2026' ? '2026-07-28' : 'session',
      calls: CALLS,
      concurrency: CONCURRENCY,
      logLevel: logLevel ?? 'warn (to /dev/null)',
      instructions_per_call: Math.round(total / CALLS),
      resent_after_reset: { warmup: resetsBefore, measured: resent },
    };
    console.log(
      `instructions per tools/call: ${result.instructions_per_call.toLocaleString('en')} (${CALLS} calls, ${CONCURRENCY} in flight, ${resent} sent again after a reset)`,
    );
    console.log(JSON.stringify(result));
  } finally {
    child.kill('SIGKILL');
    // valgrind's own pipes for vgdb (left behind by SIGKILL).
    for (const f of readdirSync(tmpdir())) if (f.startsWith('vgdb-pipe-') && f.includes(`-${child.pid}-by-`)) rmSync(join(tmpdir(), f), { force: true });
    await em.close();
    if (process.env.IC_KEEP === undefined) rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
