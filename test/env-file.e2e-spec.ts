import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, Emulator } from './emulator/emulator';
import { connectHttp } from './support/mcp-client';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { freePort } from './support/server-process';

const ROOT = join(__dirname, '..');
// Each test starts the server process (ts-node) once or twice.
jest.setTimeout(60_000);

interface Run {
  url: string;
  output: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

/** `src/main.ts` as its own process in `cwd` (where it looks for `.env`), with `env` as its whole environment. */
async function runServer(cwd: string, env: Record<string, string>, opts: { expectExit?: boolean } = {}): Promise<Run> {
  let out = '';
  const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), join(ROOT, 'src', 'main.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const run: Run = {
    url: `http://127.0.0.1:${env.PORT}`,
    output: () => out,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  if (opts.expectExit) return run;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    try {
      if ((await fetch(`${run.url}/health/live`)).ok) return run;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('.env files (read through @nestjs/config, validated like the environment)', () => {
  let emulator: Emulator;
  let dir: string;
  const runs: Run[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-env-'));
  });
  afterEach(async () => {
    await Promise.all(runs.splice(0).map((r) => r.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => emulator?.close());

  it('reads .env from the working directory; the real environment wins over it', async () => {
    writeFileSync(
      join(dir, '.env'),
      [
        '# comments and quotes work as with dotenv',
        `INTEGRATION_APP_API_URL="${emulator.url}"`,
        `INTEGRATION_APP_WORKSPACE_KEY=${WORKSPACE}`,
        `INTEGRATION_APP_WORKSPACE_SECRET=${SECRET}`,
        'LOG_LEVEL=info',
        'PORT=1',
      ].join('\n'),
    );
    const port = String(await freePort());
    const run = await runServer(dir, { PORT: port });
    runs.push(run);
    // PORT came from the environment (not the file's 1); the Integration.app settings from the file.
    expect(run.url).toContain(port);
    const { client } = await connectHttp(run.url, { token: emulator.token('cust-1') });
    expect((await client.callTool({ name: 'gmail_count-unread', arguments: {} })).content).toEqual([{ type: 'text', text: '0' }]);
    await client.close();
    // With the secret from .env there is no warning about it; LOG_LEVEL=info from .env shows the start-up line.
    expect(run.output()).toContain('listening on');
    expect(run.output()).not.toContain('INTEGRATION_APP_WORKSPACE_SECRET is not set');
  });

  it('reads the files ENV_FILE names instead; ENV_FILE=none reads none', async () => {
    writeFileSync(join(dir, '.env'), 'INTEGRATION_APP_API_URL=http://127.0.0.1:9\n');
    writeFileSync(join(dir, 'other.env'), `INTEGRATION_APP_API_URL=${emulator.url}\nINTEGRATION_APP_WORKSPACE_SECRET=${SECRET}\n`);
    const run = await runServer(dir, { PORT: String(await freePort()), ENV_FILE: 'other.env' });
    runs.push(run);
    const { client } = await connectHttp(run.url, { token: emulator.token('cust-1') });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();

    const ignoring = await runServer(dir, { PORT: String(await freePort()), ENV_FILE: 'none', LOG_LEVEL: 'warn' });
    runs.push(ignoring);
    expect(ignoring.output()).toContain('INTEGRATION_APP_WORKSPACE_SECRET is not set');
  });

  it('stops start-up on a bad value in .env, naming the variable', async () => {
    writeFileSync(join(dir, '.env'), 'MAX_SESSIONS=lots\n');
    const run = await runServer(dir, { PORT: String(await freePort()) }, { expectExit: true });
    runs.push(run);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('MAX_SESSIONS');
    expect(run.output()).toContain('Invalid configuration');
  });
});
