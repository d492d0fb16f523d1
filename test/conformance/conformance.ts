import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One check of the official MCP conformance suite, as its `checks.json` records it. */
export interface ConformanceCheck {
  id: string;
  name: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';
  errorMessage?: string;
}

export interface ConformanceRun {
  /** Exit code of the CLI. */
  code: number | null;
  output: string;
  /** Scenario (results folder) → its checks. */
  scenarios: Record<string, ConformanceCheck[]>;
}

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

/**
 * Runs `@modelcontextprotocol/conformance server` (the pinned devDependency) against `url` for one
 * spec revision's requirement set (or one scenario), and reads every check it wrote.
 */
export async function runConformance(url: string, args: string[], timeoutMs = 240_000): Promise<ConformanceRun> {
  const out = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
  try {
    let output = '';
    const child = spawn(process.execPath, [CLI, 'server', '--url', url, '-o', out, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    const scenarios: Record<string, ConformanceCheck[]> = {};
    for (const dir of readdirSync(out)) {
      try {
        scenarios[dir] = JSON.parse(readFileSync(join(out, dir, 'checks.json'), 'utf8')) as ConformanceCheck[];
      } catch {
        // A scenario folder without checks (the CLI failed before writing them) stays out.
      }
    }
    return { code, output, scenarios };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * A gateway in front of the server that adds `Authorization: Bearer <token>` to every request, as
 * an API gateway does in production: the suite has no way to send credentials itself (its raw
 * probes drop the URL's query string, so `query` is added here too), and every MCP request of this
 * server needs a token.
 */
export async function authenticatingGateway(
  target: string,
  token: string,
  query: Record<string, string> = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    // The route's own parameters (e.g. `mode=search`), as a gateway route pins them.
    const path = new URL(req.url ?? '/', upstream);
    for (const [k, v] of Object.entries(query)) path.searchParams.set(k, v);
    const forwarded = request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: `${path.pathname}${path.search}`,
        method: req.method,
        headers: { ...req.headers, authorization: `Bearer ${token}` },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    res.on('close', () => forwarded.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
