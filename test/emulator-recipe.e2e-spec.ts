import { spawn, ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectHttp } from './support/mcp-client';
import { freePort, startServerProcess, ServerProcess } from './support/server-process';

const ROOT = join(__dirname, '..');

/**
 * README "The production build against the emulator": `npm run emulator` serves the demo workspace,
 * and the server started with the three variables the README gives serves its tools with the tokens
 * the emulator printed. (The server runs from src/ here; the built dist/ is started the same way by
 * scripts/verify-docker-image.sh in the docker-image spec.)
 */
describe('README recipe: the server against `npm run emulator`', () => {
  let emulator: ChildProcess;
  let server: ServerProcess;
  let started: { url: string; tokens: Record<string, string> };
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  beforeAll(async () => {
    const port = await freePort();
    emulator = spawn('npm', ['run', 'emulator'], {
      cwd: ROOT,
      env: { ...process.env, EMULATOR_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    emulator.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!out.includes('"tokens"')) {
      if (Date.now() > deadline || emulator.exitCode !== null) throw new Error(`npm run emulator did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    started = JSON.parse(out.split('\n').find((l) => l.includes('"tokens"'))!);
    expect(started.url).toBe(`http://127.0.0.1:${port}`);
    const env = Object.fromEntries(
      [...readme.matchAll(/(INTEGRATION_APP_WORKSPACE_KEY|INTEGRATION_APP_WORKSPACE_SECRET)=(\S+)/g)].map((m) => [m[1], m[2]] as [string, string]),
    );
    server = await startServerProcess({ ...env, INTEGRATION_APP_API_URL: started.url, LOG_LEVEL: 'warn' });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (emulator?.pid) process.kill(-emulator.pid, 'SIGTERM');
  });

  it('documents npm run emulator on port 4010 and the demo workspace key and secret', () => {
    expect(readme).toContain('npm run emulator');
    expect(readme).toContain('INTEGRATION_APP_API_URL=http://127.0.0.1:4010');
    expect(readme).toMatch(/INTEGRATION_APP_WORKSPACE_KEY=demo-workspace\b/);
    expect(readme).toMatch(/INTEGRATION_APP_WORKSPACE_SECRET=demo-secret-change-me\b/);
  });

  it('serves the demo workspace with the token the emulator printed, with no start-up warnings', async () => {
    const { client } = await connectHttp(server.url, { token: started.tokens['customer-1'] });
    const result = await client.callTool({ name: 'gmail_list-emails', arguments: {} });
    expect(JSON.stringify(result.structuredContent)).toContain('Quarterly report');
    await client.close();
    expect(server.output()).not.toContain('is not set');
  });
});
