import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/server-process';

const ROOT = join(__dirname, '..');

/**
 * No Docker engine runs here, so the image is proven by reproducing its stages (scripts/verify-docker-image.sh
 * follows the Dockerfile's COPY lines) and running the result exactly like the image's CMD and HEALTHCHECK.
 */
describe('docker/Dockerfile reproduced without Docker', () => {
  const work = mkdtempSync(join(tmpdir(), 'mcp-image-'));
  let runtime: string;
  let child: ChildProcess;
  let port: number;

  beforeAll(async () => {
    runtime = execFileSync('bash', [join(ROOT, 'scripts', 'verify-docker-image.sh'), work], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!;
    port = await freePort();
    child = spawn('node', ['dist/main.js'], {
      cwd: runtime,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        INTEGRATION_APP_API_URL: 'http://127.0.0.1:9',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(`http://127.0.0.1:${port}/health/live`);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error('runtime did not start');
  }, 240_000);

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('serves MCP with production dependencies only', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32002 } });
  });

  it('passes the image HEALTHCHECK command', () => {
    const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
    const script = /HEALTHCHECK[\s\S]*?CMD \["node", "-e", "(.+)"\]/.exec(dockerfile)![1].replace(/\\"/g, '"');
    execFileSync('node', ['-e', script], { env: { ...process.env, PORT: String(port) } });
  });

  it('exits 0 on SIGTERM (the image STOPSIGNAL)', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
