import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const SCRIPT = join(ROOT, 'scripts', 'verify-docker-image.sh');

function runScript(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT], { env: { ...process.env, ...env }, timeout: 240_000, maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/**
 * No Docker engine runs here, so scripts/verify-docker-image.sh proves the image: it reproduces the
 * Dockerfile's stages, starts the runtime like the image's CMD and checks HEALTHCHECK, readiness,
 * MCP and SIGTERM itself. This runs it as a user would, and checks that it leaves nothing behind.
 */
describe('scripts/verify-docker-image.sh (docker/Dockerfile reproduced without Docker)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mcp-verify-image-'));
  let run: { code: number; output: string };

  beforeAll(async () => {
    run = await runScript({ TMPDIR: tmp });
  }, 240_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('builds the stages, starts the runtime and passes every check', () => {
    expect(run).toMatchObject({ code: 0 });
    for (const line of ['ok HEALTHCHECK', 'ok /health/ready', 'ok POST /mcp (401 without a token)', 'ok SIGTERM (exit 0)', 'verify-docker-image: ok']) {
      expect(run.output).toContain(line);
    }
  });

  it('removes its temporary directory and the runtime process', () => {
    expect(readdirSync(tmp)).toEqual([]);
    expect(run.output).not.toContain('kept ');
  });

  it('cleans up when a step fails, and says which', async () => {
    const failed = await runScript({ TMPDIR: tmp, DOCKERFILE: join(tmp, 'no-such-Dockerfile') });
    expect(failed.code).toBe(1);
    expect(failed.output).toContain('verify-docker-image: no Dockerfile at');
    expect(readdirSync(tmp)).toEqual([]);
  });
});
