/**
 * `npm run bench` — the performance figures of issues #5 and #11, measured against the built server
 * (`node dist/main.js`, a child process) and the Integration.app emulator (in its own process).
 * The default scenario is the cold-start case of issue #11: a customer with 24 connections × 30
 * actions behind 20 ms of upstream latency, whose first session opens and lists its tools.
 *
 * Options (env): BENCH_CONNECTIONS (24), BENCH_ACTIONS (30), BENCH_LATENCY_MS (20),
 * BENCH_CONCURRENCY (32), BENCH_DURATION_S (10), BENCH_WARMUP_S (2, tools/call not counted), BENCH_IDLE_SESSIONS (10000), BENCH_RUNS (15),
 * BENCH_SERVER_ENTRY (dist/main.js; point it at another build to compare two versions),
 * BENCH_PAUSE_MS (0: a pause between the cold and the warm step),
 * BENCH_TOOL (the tool the calls run; default: the first by name of the list actions without arguments),
 * BENCH_AB (another build's dist/main.js: both builds measured alternately, BENCH_AB_ROUNDS (3) runs
 * each, in one run of this script, with the medians and ratios printed; no memory step),
 * BENCH_SERVER_CPU (unset; a CPU number pins the server there, run the bench itself with `taskset -c <other>`),
 * BENCH_LOG_LEVEL (unset: the server logs at warn to /dev/null; set, e.g. `info`, it logs at that level
 * to a pipe this process drains, as in a container: an access and an audit line per call).
 */
import { spawn, ChildProcess } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/server-process';
import { benchTool } from './bench-tool';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CONNECTIONS = env('BENCH_CONNECTIONS', 24);
const ACTIONS = env('BENCH_ACTIONS', 30);
const LATENCY = env('BENCH_LATENCY_MS', 20);
const CONCURRENCY = env('BENCH_CONCURRENCY', 32);
const DURATION_S = env('BENCH_DURATION_S', 10);
const WARMUP_S = env('BENCH_WARMUP_S', 2);
const IDLE_SESSIONS = env('BENCH_IDLE_SESSIONS', 10_000);
const RUNS = env('BENCH_RUNS', 15);
/** Another build's `dist/main.js`: measured alternately with this one, ratios printed (the A/B of issue #21). */
const AB_BUILD = process.env.BENCH_AB;
const AB_ROUNDS = env('BENCH_AB_ROUNDS', 3);
const PAUSE_MS = env('BENCH_PAUSE_MS', 0);

const HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18' };
const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/**
 * The load generator's HTTP client: node:http with a keep-alive agent (like autocannon or wrk), so
 * that the client costs far less CPU per request than the server it measures. (`fetch` costs about
 * 0.6 ms of CPU per request here, which on a 2-core machine takes CPU away from the server.)
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** The headers and `_meta` of a 2026-07-28 (stateless) request: no session, the revision in every request. */
const STATELESS = '2026-07-28';
const STATELESS_META = {
  'io.modelcontextprotocol/protocolVersion': STATELESS,
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

function post(
  base: string,
  token: string,
  body: unknown,
  sessionId?: string,
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; sessionId: string | null; json: any }> {
  const payload = JSON.stringify(body);
  const url = new URL(`${base}/mcp`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: {
          ...HEADERS,
          Authorization: `Bearer ${token}`,
          'Content-Length': Buffer.byteLength(payload),
          ...(sessionId ? { 'Mcp-Session-Id': sessionId } : {}),
          ...extraHeaders,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const sid = res.headers['mcp-session-id'];
          try {
            resolve({ status: res.statusCode ?? 0, sessionId: typeof sid === 'string' ? sid : null, json: text ? JSON.parse(text) : undefined });
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function openSession(base: string, token: string): Promise<string> {
  const init = await post(base, token, INIT);
  if (init.status !== 200 || !init.sessionId) throw new Error(`initialize failed: ${init.status} ${JSON.stringify(init.json)}`);
  await post(base, token, { jsonrpc: '2.0', method: 'notifications/initialized' }, init.sessionId);
  return init.sessionId;
}

async function openAndList(base: string, token: string): Promise<{ ms: number; tools: number; sessionId: string }> {
  const t0 = performance.now();
  const sessionId = await openSession(base, token);
  const list = await post(base, token, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, sessionId);
  const ms = performance.now() - t0;
  if (list.status !== 200 || !list.json?.result) throw new Error(`tools/list failed: ${list.status}`);
  return { ms, tools: list.json.result.tools.length, sessionId };
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Sessions the server holds (its `mcp_open_sessions` gauge). */
async function liveSessions(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^mcp_open_sessions(?:\{[^}]*\})?\s+(\S+)/m.exec(text);
  if (!m) throw new Error('mcp_open_sessions gauge not found in /metrics');
  return Number(m[1]);
}

async function heapOf(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^nodejs_heap_size_used_bytes\s+(\S+)/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

interface EmulatorProcess {
  url: string;
  tokens: Record<string, string>;
  process: ChildProcess;
  clearRequests(): Promise<void>;
  requestCount(): Promise<number>;
}

async function startEmulatorProcess(generate: string, latencyMs: number): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '..', 'test', 'emulator', 'main.ts')], {
    env: { ...process.env, EMULATOR_GENERATE: generate, EMULATOR_LATENCY_MS: String(latencyMs), TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  const { url, tokens } = JSON.parse(line) as { url: string; tokens: Record<string, string> };
  return {
    url,
    tokens,
    process: child,
    clearRequests: async () => void (await fetch(`${url}/__emulator/requests`, { method: 'DELETE' })),
    requestCount: async () => ((await (await fetch(`${url}/__emulator/requests`)).json()) as unknown[]).length,
  };
}

const THIS_BUILD = process.env.BENCH_SERVER_ENTRY ?? join(__dirname, '..', 'dist', 'main.js');

async function startServer(port: number, emulatorUrl: string, workspace: { key: string; secret: string }, entry = THIS_BUILD): Promise<ChildProcess> {
  const args = ['--expose-gc', '-r', join(__dirname, 'gc-on-sigusr2.js'), entry];
  // BENCH_SERVER_CPU pins the server to that CPU (taskset), e.g. to keep the load generator and the
  // emulator off its core when comparing two builds; unset, the OS schedules all three freely.
  const pin = process.env.BENCH_SERVER_CPU;
  const child = spawn(pin ? 'taskset' : process.execPath, pin ? ['-c', pin, process.execPath, ...args] : args, {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      INTEGRATION_APP_API_URL: emulatorUrl,
      INTEGRATION_APP_WORKSPACE_KEY: workspace.key,
      INTEGRATION_APP_WORKSPACE_SECRET: workspace.secret,
      CATALOG_TTL_SECONDS: '600',
      MAX_SESSIONS: String(IDLE_SESSIONS * 2 + 1000),
      // The idle sessions all belong to one customer: without this, the per-identity cap (100 by
      // default) evicts all but the newest and the memory figure measures nothing.
      MAX_SESSIONS_PER_IDENTITY: String(IDLE_SESSIONS * 2 + 1000),
      RATE_LIMIT_PER_MINUTE: '0',
      // The load generator is one customer with many calls in flight: lift the per-tenant concurrency cap.
      MAX_CONCURRENT_CALLS_PER_IDENTITY: '1000',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', process.env.BENCH_LOG_LEVEL ? 'pipe' : 'ignore', 'inherit'],
  });
  child.stdout?.resume();
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/mcp/sessions`);
      return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('server did not start');
}

const CUSTOMERS = RUNS + 2;

/**
 * Steps 1–4b against a fresh server process of one build: cold and warm open + list, the upstream
 * requests of cached sessions, `tools/call` throughput in both eras. The server is stopped after.
 * (Every measurement starts its own server, whose catalog cache is its own: the same customers are cold again.)
 */
async function measure(emulator: EmulatorProcess, entry: string): Promise<Record<string, number>> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(port, emulator.url, { key: 'bench', secret: 'bench-secret' }, entry);
  const customers = CUSTOMERS;
  const tokens = Array.from({ length: customers }, (_, i) => emulator.tokens[`customer-${i}`]);
  const results: Record<string, number> = {};
  try {
    // Warm up the server's code paths on the last customer.
    for (let i = 0; i < 20; i++) await openAndList(base, tokens[customers - 1]);

    // 1. Cold: a customer seen for the first time (catalog fetched upstream).
    const cold: number[] = [];
    let toolCount = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = await openAndList(base, tokens[i]);
      cold.push(r.ms);
      toolCount = r.tools;
    }
    results.tools = toolCount;
    results.cold_open_list_ms_median = +median(cold).toFixed(1);
    results.cold_open_list_ms_p95 = +pct(cold, 95).toFixed(1);

    // BENCH_PAUSE_MS: time for what a build does in the background after the cold step to finish.
    if (PAUSE_MS > 0) await new Promise((r) => setTimeout(r, PAUSE_MS));
    // 2. Warm: a new session of a customer whose catalog is cached.
    const warm: number[] = [];
    for (let i = 0; i < Math.max(50, RUNS); i++) warm.push((await openAndList(base, tokens[0])).ms);
    results.warm_open_list_ms_median = +median(warm).toFixed(2);
    results.warm_open_list_ms_p95 = +pct(warm, 95).toFixed(2);

    // 3. Upstream requests for N sessions of one customer within the TTL: same as for one.
    const fresh = tokens[customers - 2];
    await emulator.clearRequests();
    await openAndList(base, fresh);
    const forOne = await emulator.requestCount();
    await emulator.clearRequests();
    await Promise.all(Array.from({ length: 20 }, () => openAndList(base, fresh)));
    results.upstream_requests_first_session = forOne;
    results.upstream_requests_20_more_sessions = await emulator.requestCount();

    // 4. tools/call throughput with CONCURRENCY in flight.
    const sessions = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => openSession(base, tokens[i % RUNS])));
    // The same action on every build (bench-tool.ts).
    const toolName = benchTool((await post(base, tokens[0], { jsonrpc: '2.0', id: 3, method: 'tools/list' }, sessions[0])).json.result.tools);
    process.stderr.write(`${entry}: calls ${toolName}\n`);
    /**
     * CONCURRENCY loops, one per session, calling the tool back to back for `seconds`; `stateless`:
     * the same calls as 2026-07-28 requests (no session, `_meta` and the revision's headers).
     */
    const drive = async (seconds: number, stateless = false) => {
      const outcome = { ok: 0, errors: 0, hung: 0, latencies: [] as number[] };
      const deadline = performance.now() + seconds * 1000;
      await Promise.all(
        sessions.map(async (sessionId, i) => {
          const token = tokens[i % RUNS];
          let id = 10;
          while (performance.now() < deadline) {
            const t0 = performance.now();
            let timer: NodeJS.Timeout | undefined;
            try {
              const res = await Promise.race([
                stateless
                  ? post(
                      base,
                      token,
                      { jsonrpc: '2.0', id: id++, method: 'tools/call', params: { name: toolName, arguments: {}, _meta: STATELESS_META } },
                      undefined,
                      { 'MCP-Protocol-Version': STATELESS, 'Mcp-Method': 'tools/call', 'Mcp-Name': toolName },
                    )
                  : post(base, token, { jsonrpc: '2.0', id: id++, method: 'tools/call', params: { name: toolName, arguments: {} } }, sessionId),
                new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('hung')), 10_000))),
              ]);
              if (res.status === 200 && res.json?.result && !res.json.result.isError) outcome.ok++;
              else outcome.errors++;
            } catch (err) {
              if ((err as Error).message === 'hung') outcome.hung++;
              else outcome.errors++;
            } finally {
              clearTimeout(timer);
            }
            outcome.latencies.push(performance.now() - t0);
          }
        }),
      );
      return outcome;
    };
    // Warm-up (not counted): the tools/call path compiled by the JIT, sockets open, like wrk/autocannon do.
    const warmup = await drive(WARMUP_S);
    const cpuBefore = cpuSecondsOf(server.pid!);
    const emulatorCpuBefore = cpuSecondsOf(emulator.process.pid!);
    const clientCpuBefore = process.cpuUsage();
    const { ok, errors: measuredErrors, hung: measuredHung, latencies } = await drive(DURATION_S);
    const errors = measuredErrors + warmup.errors;
    const hung = measuredHung + warmup.hung;
    results.server_cpu_ms_per_call = +(((cpuSecondsOf(server.pid!) - cpuBefore) * 1000) / Math.max(1, ok)).toFixed(3);
    const clientCpu = process.cpuUsage(clientCpuBefore);
    results.emulator_cpu_ms_per_call = +(((cpuSecondsOf(emulator.process.pid!) - emulatorCpuBefore) * 1000) / Math.max(1, ok)).toFixed(3);
    results.load_generator_cpu_ms_per_call = +((clientCpu.user + clientCpu.system) / 1000 / Math.max(1, ok)).toFixed(3);
    results.calls_per_s = Math.round(ok / DURATION_S);
    results.call_errors = errors;
    results.calls_hung = hung;
    results.call_latency_ms_p50 = +median(latencies).toFixed(1);
    results.call_latency_ms_p99 = +pct(latencies, 99).toFixed(1);

    // 4b. The same calls in the 2026-07-28 era: no session read, the SDK v2 path.
    const statelessWarmup = await drive(WARMUP_S, true);
    const statelessCpuBefore = cpuSecondsOf(server.pid!);
    const stateless = await drive(DURATION_S, true);
    // (NaN when no call succeeded: a build without the 2026-07-28 era, whose figures are then "—".)
    results.stateless_server_cpu_ms_per_call = stateless.ok ? +(((cpuSecondsOf(server.pid!) - statelessCpuBefore) * 1000) / stateless.ok).toFixed(3) : NaN;
    results.stateless_calls_per_s = Math.round(stateless.ok / DURATION_S);
    results.stateless_call_errors = stateless.errors + statelessWarmup.errors;
    results.stateless_calls_hung = stateless.hung + statelessWarmup.hung;
    results.stateless_call_latency_ms_p50 = +median(stateless.latencies).toFixed(1);
    results.stateless_call_latency_ms_p99 = +pct(stateless.latencies, 99).toFixed(1);
    return results;
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => (server.exitCode !== null ? resolve(undefined) : server.once('exit', resolve)));
  }
}

async function main(): Promise<void> {
  // The emulator runs in its own process so it does not compete with the load generator.
  const emulator = await startEmulatorProcess(`customers:${CUSTOMERS},connections:${CONNECTIONS},actions:${ACTIONS}`, LATENCY);
  if (AB_BUILD) return abMain(emulator, AB_BUILD);
  const tokens = Array.from({ length: CUSTOMERS }, (_, i) => emulator.tokens[`customer-${i}`]);
  let memServer: ChildProcess | undefined;
  const results: Record<string, number | string> = {};
  try {
    Object.assign(results, await measure(emulator, THIS_BUILD));

    // 5. Memory per idle session, in a fresh server process (the throughput run above leaves garbage
    //    and grown buffers behind that a later GC returns, which would make the difference meaningless).
    const memPort = await freePort();
    const memBase = `http://127.0.0.1:${memPort}`;
    memServer = await startServer(memPort, emulator.url, { key: 'bench', secret: 'bench-secret' });
    const idleToken = tokens[0];
    // Warm up: the customer's catalog cached and the session code paths compiled before the baseline.
    for (let i = 0; i < 200; i++) await openAndList(memBase, idleToken);
    const settle = async () => {
      memServer!.kill('SIGUSR2');
      await new Promise((r) => setTimeout(r, 1500));
    };
    await settle();
    const sessionsBefore = await liveSessions(memBase);
    const rssBefore = rssOf(memServer.pid!);
    const heapBefore = await heapOf(memBase);
    const batch = 64;
    for (let opened = 0; opened < IDLE_SESSIONS; opened += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, IDLE_SESSIONS - opened) }, () => openSession(memBase, idleToken)));
    }
    await settle();
    const rssAfter = rssOf(memServer.pid!);
    const heapAfter = await heapOf(memBase);
    const opened = (await liveSessions(memBase)) - sessionsBefore;
    results.idle_sessions = opened;
    results.rss_mb_baseline = +(rssBefore / 1048576).toFixed(1);
    results.rss_mb_after_idle_sessions = +(rssAfter / 1048576).toFixed(1);
    results.rss_kb_per_idle_session = +((rssAfter - rssBefore) / opened / 1024).toFixed(2);
    results.heap_kb_per_idle_session = +((heapAfter - heapBefore) / opened / 1024).toFixed(2);
  } finally {
    memServer?.kill('SIGTERM');
    emulator.process.kill('SIGTERM');
  }

  const targets: Record<string, string> = {
    cold_open_list_ms_median: '≤ 60',
    warm_open_list_ms_median: '≤ 10',
    calls_per_s: '≥ 1000',
    call_errors: '0',
    calls_hung: '0',
    stateless_call_errors: '0',
    stateless_calls_hung: '0',
    rss_kb_per_idle_session: '≤ 50',
    rss_mb_after_idle_sessions: '< 1024',
    upstream_requests_20_more_sessions: '0 (cached)',
  };
  const machine = `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  process.stdout.write(
    `\nScenario: ${CONNECTIONS} connections × ${ACTIONS} actions, ${LATENCY} ms upstream latency, ${CONCURRENCY} in flight — ${machine}\n\n`,
  );
  process.stdout.write('| figure | measured | target |\n|---|---|---|\n');
  for (const [k, v] of Object.entries(results)) process.stdout.write(`| ${k} | ${v} | ${targets[k] ?? ''} |\n`);
  process.stdout.write(
    `\nCold start (initialize + notifications/initialized + tools/list, first session of a customer; ${CONNECTIONS} connections × ${ACTIONS} actions, ${LATENCY} ms upstream): ` +
      `median ${results.cold_open_list_ms_median} ms, p95 ${results.cold_open_list_ms_p95} ms over ${RUNS} customers (target ≤ 60 ms)\n`,
  );
  process.stdout.write(
    `\n${JSON.stringify({ scenario: { CONNECTIONS, ACTIONS, LATENCY, CONCURRENCY, DURATION_S, WARMUP_S, IDLE_SESSIONS, RUNS, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn (to /dev/null)' }, machine, results })}\n`,
  );
  process.exit(0);
}

/** What the A/B reports: each figure's median per build, and this build's ÷ the other's. */
const AB_FIGURES: Array<[key: string, label: string, target?: string]> = [
  ['calls_per_s', 'calls/s, session era', '≥ 1.1×'],
  ['server_cpu_ms_per_call', 'server CPU ms per call, session era'],
  ['stateless_calls_per_s', 'calls/s, 2026-07-28 era'],
  ['stateless_server_cpu_ms_per_call', 'server CPU ms per call, 2026-07-28 era'],
  ['cold_open_list_ms_median', 'cold open + list, median ms', '≤ 0.7×'],
  ['warm_open_list_ms_median', 'warm open + list, median ms', '≤ 1.0×'],
  ['call_errors', 'errors, session era'],
  ['stateless_call_errors', 'errors, 2026-07-28 era'],
];

/**
 * BENCH_AB: this build and another, measured alternately (ABBA… order, each measurement on a fresh
 * server process, one emulator and one load generator for both) BENCH_AB_ROUNDS times each; prints
 * every run's figures, the medians, this build ÷ the other, and per build the 2026-07-28 era's
 * calls/s ÷ the session era's in the same measurement.
 */
async function abMain(emulator: EmulatorProcess, other: string): Promise<void> {
  const builds = { this: THIS_BUILD, other };
  const runs: Record<keyof typeof builds, Array<Record<string, number>>> = { this: [], other: [] };
  try {
    for (let round = 0; round < AB_ROUNDS; round++) {
      const order: Array<keyof typeof builds> = round % 2 === 0 ? ['other', 'this'] : ['this', 'other'];
      for (const which of order) {
        const r = await measure(emulator, builds[which]);
        runs[which].push(r);
        process.stderr.write(`round ${round + 1} ${which}: ${JSON.stringify(r)}\n`);
      }
    }
  } finally {
    emulator.process.kill('SIGTERM');
  }
  const med = (which: keyof typeof builds, key: string) => median(runs[which].map((r) => r[key]).filter((v) => Number.isFinite(v)));
  const fmt = (v: number) => (Number.isFinite(v) ? String(+v.toFixed(3)) : '—');
  const machine = `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  process.stdout.write(
    `\nA/B, ${AB_ROUNDS} alternating runs each: this = ${builds.this}, other = ${builds.other}\n` +
      `Scenario: ${CONNECTIONS} connections × ${ACTIONS} actions, ${LATENCY} ms upstream latency, ${CONCURRENCY} in flight — ${machine}\n\n`,
  );
  process.stdout.write('| figure | other, runs | this, runs | this ÷ other (medians) | issue #21 target |\n|---|---|---|---|---|\n');
  for (const [key, label, target] of AB_FIGURES) {
    const list = (which: keyof typeof builds) => runs[which].map((r) => fmt(r[key])).join(' / ');
    process.stdout.write(`| ${label} | ${list('other')} | ${list('this')} | ${fmt(med('this', key) / med('other', key))}× | ${target ?? ''} |\n`);
  }
  const eraRatios = (which: keyof typeof builds) => runs[which].map((r) => (r.stateless_calls_per_s ? r.stateless_calls_per_s / r.calls_per_s : NaN));
  process.stdout.write(
    `| 2026 ÷ session calls/s, same run | ${eraRatios('other').map(fmt).join(' / ')} | ${eraRatios('this').map(fmt).join(' / ')} | this: median ${fmt(median(eraRatios('this')))} | ≥ 1.0 |\n`,
  );
  process.stdout.write(`\n${JSON.stringify({ ab: { rounds: AB_ROUNDS, builds, runs }, machine })}\n`);
  process.exit(0);
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack}\n`);
  process.exit(1);
});
