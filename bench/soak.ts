/**
 * `npm run bench:soak` — two cases, each against its own server, both showing the server's memory
 * returning to its baseline. Runs the built server (dist/) with --expose-gc via a preload that
 * triggers GC on SIGUSR2. SOAK_CASES=sessions,catalog (the default) picks which run.
 *  - sessions: opens and abandons SOAK_SESSIONS sessions (default 5000) in SOAK_WAVES waves (default
 *    3) and lets them expire (SESSION_IDLE_TTL_SECONDS=2).
 *  - catalog: CATALOG_TTL_SECONDS=0, so every request refreshes the customer's catalog in the
 *    background; SOAK_CATALOG_CUSTOMERS customers (default 8) with 30 tools each, every input schema
 *    carrying the same `$id` and a local `$ref`, call tools/list, SOAK_CATALOG_CALLS tools/call with
 *    valid arguments (default 4, different tools) and one with invalid arguments, so arguments are
 *    validated with each new catalog's validators, until SOAK_CATALOG_REFRESHES catalogs (default
 *    1600) were fetched.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../test/emulator/emulator';
import type { Fixture } from '../test/emulator/fixture.types';
import { generateFixture } from '../test/emulator/generate';
import { freePort } from '../test/support/server-process';

const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 5000);
const WAVES = Number(process.env.SOAK_WAVES ?? 3);
const CASES = (process.env.SOAK_CASES ?? 'sessions,catalog').split(',').map((c) => c.trim());
const CATALOG_REFRESHES = Number(process.env.SOAK_CATALOG_REFRESHES ?? 1600);
const CATALOG_CUSTOMERS = Number(process.env.SOAK_CATALOG_CUSTOMERS ?? 8);
const CATALOG_CALLS = Number(process.env.SOAK_CATALOG_CALLS ?? 4);
const HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'soak', version: '1' } },
});

const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** The built server (dist/) with GC on SIGUSR2, against the emulator; resolves once it answers. */
async function startServer(emulatorUrl: string, env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--expose-gc', '-r', join(__dirname, 'gc-on-sigusr2.js'), join(__dirname, '..', 'dist', 'main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      INTEGRATION_APP_API_URL: emulatorUrl,
      INTEGRATION_APP_WORKSPACE_SECRET: 'bench-secret',
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${base}/health/live`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { child, base };
}

async function sessionsSoak(): Promise<string[]> {
  const emulator = await startEmulator({ fixture: generateFixture({ customers: 50, connections: 5, actionsPerIntegration: 10 }) });
  const { child, base } = await startServer(emulator.url, { SESSION_IDLE_TTL_SECONDS: '2', MAX_SESSIONS: String(SESSIONS * 2) });
  const tokens = Array.from({ length: 50 }, (_, i) => emulator.token(`customer-${i}`));
  const heap = async () => Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]) / 1048576;
  const settle = async () => {
    child.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, 500));
    return { rss: rss(child.pid!), heap: await heap() };
  };
  const sessionsAlive = async () => Number(/^mcp_open_sessions (\d+)/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]);
  // Warm every catalog first so the baseline includes the shared caches.
  for (const t of tokens)
    await fetch(`${base}/mcp`, { method: 'POST', headers: { ...HEADERS, Authorization: `Bearer ${t}` }, body: INIT }).then((r) => r.text());
  await new Promise((r) => setTimeout(r, 3500));
  const baseline = await settle();
  const rows: string[] = [`baseline (catalogs of 50 customers cached): heap ${baseline.heap.toFixed(1)} MB, RSS ${baseline.rss.toFixed(1)} MB`];
  for (let wave = 1; wave <= WAVES; wave++) {
    for (let i = 0; i < SESSIONS; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, SESSIONS - i) }, (_, j) =>
          fetch(`${base}/mcp`, {
            method: 'POST',
            headers: { ...HEADERS, Authorization: `Bearer ${tokens[(i + j) % 50]}`, 'x-chat-id': `chat-${wave}-${i + j}` },
            body: INIT,
          }).then((r) => r.text()),
        ),
      );
    }
    const peak = rss(child.pid!);
    const open = await sessionsAlive();
    await new Promise((r) => setTimeout(r, 3500));
    const after = await settle();
    rows.push(
      `wave ${wave}: ${SESSIONS} sessions opened and abandoned — peak RSS ${peak.toFixed(1)} MB with ${open} open; after expiry + GC: heap ${after.heap.toFixed(1)} MB, RSS ${after.rss.toFixed(1)} MB, ${await sessionsAlive()} open`,
    );
  }
  child.kill('SIGKILL');
  await emulator.close();
  return rows;
}

/** The generated workspace with every input schema under one `$id`, its `id` property a local `$ref`. */
function fixtureWithSchemaIds(): Fixture {
  const fixture = generateFixture({ customers: CATALOG_CUSTOMERS, connections: 3, actionsPerIntegration: 10 });
  for (const integration of fixture.workspaces[0].integrations) {
    for (const action of integration.actions) {
      const schema = action.inputSchema as { properties: Record<string, unknown> } & Record<string, unknown>;
      schema.$id = 'https://schemas.bench.example/record-input';
      if (schema.properties.id) {
        schema.properties.id = { $ref: '#/definitions/recordId' };
        schema.definitions = { recordId: { type: 'string', minLength: 1, description: 'Record id' } };
      }
    }
  }
  return fixture;
}

async function catalogSoak(): Promise<string[]> {
  const emulator = await startEmulator({ fixture: fixtureWithSchemaIds() });
  const { child, base } = await startServer(emulator.url, { CATALOG_TTL_SECONDS: '0' });
  const heap = async () => Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]) / 1048576;
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 300)); // let background refreshes finish
    child.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, 500));
    return { rss: rss(child.pid!), heap: await heap() };
  };
  const refreshes = () => emulator.requests.filter((r) => r.method === 'GET' && r.path === '/connections').length;
  let rpcId = 10;
  const rpc = async (headers: Record<string, string>, method: string, params?: unknown) => {
    const res = await fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: rpcId++, method, params }) });
    const text = await res.text();
    // JSON or one SSE `data:` line, depending on what the server chose.
    return JSON.parse(text.startsWith('{') ? text : /^data: (.*)$/m.exec(text)![1]) as { result?: Record<string, unknown>; error?: { message: string } };
  };
  const sessions = await Promise.all(
    Array.from({ length: CATALOG_CUSTOMERS }, async (_, c) => {
      const auth = { ...HEADERS, Authorization: `Bearer ${emulator.token(`customer-${c}`)}` };
      const init = await fetch(`${base}/mcp`, { method: 'POST', headers: auth, body: INIT });
      await init.text();
      return { ...auth, 'Mcp-Session-Id': init.headers.get('mcp-session-id')! };
    }),
  );
  const listed = (await rpc(sessions[0], 'tools/list')).result!.tools as Array<{ name: string; inputSchema: { required?: string[] } }>;
  const tools = listed.filter((t) => t.inputSchema.required?.includes('id')).map((t) => t.name);
  const outcomes = { valid: 0, validRefused: 0, invalid: 0, invalidAccepted: 0 };
  let round = 0;
  const iterate = async () => {
    const first = round++ * CATALOG_CALLS;
    await Promise.all(
      sessions.map(async (headers) => {
        await rpc(headers, 'tools/list');
        for (let k = 0; k < CATALOG_CALLS; k++) {
          const ok = await rpc(headers, 'tools/call', { name: tools[(first + k) % tools.length], arguments: { id: `record-${round}` } });
          if (ok.result?.isError) outcomes.validRefused++;
          else outcomes.valid++;
        }
        const bad = await rpc(headers, 'tools/call', { name: tools[first % tools.length], arguments: { id: '' } });
        if (bad.result?.isError) outcomes.invalid++;
        else outcomes.invalidAccepted++;
      }),
    );
  };
  // Warm-up: every customer's catalog fetched, refreshed and its validators compiled a few times.
  for (let i = 0; i < 5; i++) await iterate();
  const baseline = await settle();
  const before = refreshes();
  const started = Date.now();
  while (refreshes() - before < CATALOG_REFRESHES) {
    await iterate();
  }
  const done = refreshes() - before;
  const seconds = (Date.now() - started) / 1000;
  const after = await settle();
  child.kill('SIGKILL');
  await emulator.close();
  return [
    `catalog refreshes: baseline (${CATALOG_CUSTOMERS} customers × ${listed.length} tools, catalogs cached): heap ${baseline.heap.toFixed(1)} MB, RSS ${baseline.rss.toFixed(1)} MB`,
    `after ${done} catalog refreshes in ${seconds.toFixed(1)} s (${round} rounds of tools/list + ${CATALOG_CALLS + 1} tools/call per customer) + GC: heap ${after.heap.toFixed(1)} MB, RSS ${after.rss.toFixed(1)} MB`,
    `tool calls: ${outcomes.valid} valid accepted, ${outcomes.validRefused} valid refused, ${outcomes.invalid} invalid refused, ${outcomes.invalidAccepted} invalid accepted`,
  ];
}

async function main(): Promise<void> {
  const rows: string[] = [];
  if (CASES.includes('sessions')) rows.push(...(await sessionsSoak()));
  if (CASES.includes('catalog')) rows.push(...(await catalogSoak()));
  process.stdout.write(`${rows.join('\n')}\n`);
  process.exit(0);
}

void main();
