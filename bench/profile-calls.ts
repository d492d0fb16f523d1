/**
 * CPU profile of the server under a 32-way `tools/call` load (8 s, 20 ms upstream latency):
 * `PROF=1 PROF_DIR=/tmp/prof npx ts-node --transpile-only bench/profile-calls.ts`, then
 * `npx ts-node --transpile-only bench/analyze-cpuprofile.ts /tmp/prof/*.cpuprofile`. Without PROF it
 * only prints calls/s (the load generator here is `fetch`, in one process with the emulator).
 */
import { spawn } from 'node:child_process';
import { startEmulator } from '../test/emulator/emulator';
import { generateFixture } from '../test/emulator/generate';
import { freePort } from '../test/support/server-process';
const H = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18' };
(async () => {
  const fixture = generateFixture({ customers: 2, connections: 20, actionsPerIntegration: 30 });
  const em = await startEmulator({ fixture, latencyMs: 20 });
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...(process.env.PROF
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROF_DIR ?? '.', '-r', require('node:path').join(__dirname, 'exit-on-sigusr2.js')]
        : []),
      require('node:path').join(__dirname, '..', 'dist', 'main.js'),
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
        LOG_LEVEL: 'warn',
      },
      stdio: 'inherit',
    },
  );
  await new Promise((r) => setTimeout(r, 2500));
  const base = `http://127.0.0.1:${port}/mcp`;
  const token = em.token('customer-0');
  const auth = { ...H, Authorization: `Bearer ${token}` };
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
  const tl = await (
    await fetch(base, { method: 'POST', headers: { ...auth, 'Mcp-Session-Id': sid }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) })
  ).json();
  const name = tl.result.tools[0].name;
  let n = 0;
  const end = Date.now() + 8000;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (Date.now() < end) {
        const r = await fetch(base, {
          method: 'POST',
          headers: { ...auth, 'Mcp-Session-Id': sid },
          body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name, arguments: {} } }),
        });
        await r.text();
        n++;
      }
    }),
  );
  console.log('calls/s', n / 8);
  child.kill(process.env.PROF ? 'SIGUSR2' : 'SIGKILL');
  await new Promise((r) => setTimeout(r, 1500));
  await em.close();
  process.exit(0);
})();
