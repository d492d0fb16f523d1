/**
 * CPU profile of the cold path (first session of a customer: initialize + tools/list with the
 * catalog fetched upstream): `PROF=1 PROF_DIR=/tmp/prof npx ts-node --transpile-only bench/profile-cold.ts`.
 * Same scenario as `npm run bench` by default: CONNECTIONS (24) × ACTIONS (30), LATENCY (20 ms).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startEmulator } from '../test/emulator/emulator';
import { generateFixture } from '../test/emulator/generate';
import { freePort } from '../test/support/server-process';

const H = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18' };
const CUSTOMERS = Number(process.env.CUSTOMERS ?? 60);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 24);
const ACTIONS = Number(process.env.ACTIONS ?? 30);

(async () => {
  const fixture = generateFixture({ customers: CUSTOMERS, connections: CONNECTIONS, actionsPerIntegration: ACTIONS });
  const em = await startEmulator({ fixture, latencyMs: Number(process.env.LATENCY ?? 20) });
  const port = await freePort();
  const prof = process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROF_DIR ?? '.', '-r', join(__dirname, 'exit-on-sigusr2.js')] : [];
  const child = spawn(process.execPath, [...prof, join(__dirname, '..', 'dist', 'main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      INTEGRATION_APP_API_URL: em.url,
      INTEGRATION_APP_WORKSPACE_SECRET: 'bench-secret',
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: 'inherit',
  });
  await new Promise((r) => setTimeout(r, 2500));
  const base = `http://127.0.0.1:${port}/mcp`;
  const times: number[] = [];
  /** Per customer, ms since its initialize was sent: where the cold path spends its time. */
  const phases: Record<'connectionsAsked' | 'firstActionsAsked' | 'lastActionsAsked' | 'listAnswered', number[]> = {
    connectionsAsked: [],
    firstActionsAsked: [],
    lastActionsAsked: [],
    listAnswered: [],
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (let c = 0; c < CUSTOMERS; c++) {
    const auth = { ...H, Authorization: `Bearer ${em.token(`customer-${c}`)}` };
    em.clearRequests();
    const wall0 = Date.now();
    const t0 = performance.now();
    const init = await fetch(base, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      }),
    });
    const sid = init.headers.get('mcp-session-id')!;
    await init.text();
    const t1 = performance.now();
    await (
      await fetch(base, {
        method: 'POST',
        headers: { ...auth, 'Mcp-Session-Id': sid },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      })
    ).text();
    const t2 = performance.now();
    const list = await (
      await fetch(base, { method: 'POST', headers: { ...auth, 'Mcp-Session-Id': sid }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) })
    ).text();
    const t3 = performance.now();
    times.push(t3 - t0);
    const connections = em.requests.filter((r) => r.path.endsWith('/connections')).map((r) => r.at - wall0);
    const actions = em.requests.filter((r) => r.path.endsWith('/actions')).map((r) => r.at - wall0);
    if (connections.length && actions.length) {
      phases.connectionsAsked.push(Math.min(...connections));
      phases.firstActionsAsked.push(Math.min(...actions));
      phases.lastActionsAsked.push(Math.max(...actions));
      phases.listAnswered.push(t3 - t0);
    }
    if (c % 10 === 0)
      console.log(`init ${(t1 - t0).toFixed(1)} ms, initialized ${(t2 - t1).toFixed(1)} ms, list ${(t3 - t2).toFixed(1)} ms (${list.length} bytes)`);
  }
  console.log('cold median ms', median(times).toFixed(1));
  const latency = Number(process.env.LATENCY ?? 20);
  const m = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, median(v)]));
  console.log(
    `median timeline (ms after initialize was sent): connections asked ${m.connectionsAsked}, action lists asked ${m.firstActionsAsked}..${m.lastActionsAsked}, ` +
      `last list answered ≈ ${m.lastActionsAsked + latency}, tools/list answered ${m.listAnswered.toFixed(1)} ` +
      `(so ≈ ${(m.listAnswered - m.lastActionsAsked - latency).toFixed(1)} ms from the last upstream answer to the client's tools/list result)`,
  );
  child.kill(process.env.PROF ? 'SIGUSR2' : 'SIGKILL');
  await new Promise((r) => setTimeout(r, 1500));
  await em.close();
  process.exit(0);
})();
