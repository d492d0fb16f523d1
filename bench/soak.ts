/**
 * `npm run bench:soak` — opens and abandons SOAK_SESSIONS sessions (default 5000) in waves, lets them
 * expire (SESSION_IDLE_TTL_SECONDS=2), and shows the server's memory returning to its baseline.
 * Runs the built server (dist/) with --expose-gc via a preload that triggers GC on SIGUSR2.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../test/emulator/emulator';
import { generateFixture } from '../test/emulator/generate';
import { freePort } from '../test/support/server-process';

const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 5000);
const WAVES = Number(process.env.SOAK_WAVES ?? 3);
const HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'soak', version: '1' } } });

const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function main(): Promise<void> {
  const emulator = await startEmulator({ fixture: generateFixture({ customers: 50, connections: 5, actionsPerIntegration: 10 }) });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--expose-gc', '-r', join(__dirname, 'gc-on-sigusr2.js'), join(__dirname, '..', 'dist', 'main.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_SECRET: 'bench-secret', SESSION_IDLE_TTL_SECONDS: '2', RATE_LIMIT_PER_MINUTE: '0', MAX_SESSIONS: String(SESSIONS * 2), LOG_LEVEL: 'warn' },
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
  const tokens = Array.from({ length: 50 }, (_, i) => emulator.token(`customer-${i}`));
  const heap = async () => Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]) / 1048576;
  const settle = async () => {
    child.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, 500));
    return { rss: rss(child.pid!), heap: await heap() };
  };
  const sessionsAlive = async () => Number(/^mcp_open_sessions (\d+)/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]);
  // Warm every catalog first so the baseline includes the shared caches.
  for (const t of tokens) await fetch(`${base}/mcp`, { method: 'POST', headers: { ...HEADERS, Authorization: `Bearer ${t}` }, body: INIT }).then((r) => r.text());
  await new Promise((r) => setTimeout(r, 3500));
  const baseline = await settle();
  const rows: string[] = [`baseline (catalogs of 50 customers cached): heap ${baseline.heap.toFixed(1)} MB, RSS ${baseline.rss.toFixed(1)} MB`];
  for (let wave = 1; wave <= WAVES; wave++) {
    for (let i = 0; i < SESSIONS; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, SESSIONS - i) }, (_, j) =>
        fetch(`${base}/mcp`, { method: 'POST', headers: { ...HEADERS, Authorization: `Bearer ${tokens[(i + j) % 50]}`, 'x-chat-id': `chat-${wave}-${i + j}` }, body: INIT }).then((r) => r.text())));
    }
    const peak = rss(child.pid!);
    const open = await sessionsAlive();
    await new Promise((r) => setTimeout(r, 3500));
    const after = await settle();
    rows.push(`wave ${wave}: ${SESSIONS} sessions opened and abandoned — peak RSS ${peak.toFixed(1)} MB with ${open} open; after expiry + GC: heap ${after.heap.toFixed(1)} MB, RSS ${after.rss.toFixed(1)} MB, ${await sessionsAlive()} open`);
  }
  child.kill('SIGKILL');
  await emulator.close();
  process.stdout.write(`${rows.join('\n')}\n`);
  process.exit(0);
}

void main();
