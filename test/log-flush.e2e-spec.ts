import { startServerProcess } from './support/server-process';
import { waitFor } from './support/wait';

/**
 * Log lines are gathered for LOG_FLUSH_MS and written together (src/common/logging/log-destination.ts).
 * With the longest interval (1 s), what reaches stdout shows when they are written: the
 * start-up lines once the server listens, the lines of a running server at SIGTERM's exit.
 */
/** The server process at LOG_LEVEL=info (no upstream is reached: only refused requests are sent). */
const serverWithFlushMs = (ms: number) =>
  startServerProcess({
    INTEGRATION_APP_API_URL: 'http://127.0.0.1:9',
    INTEGRATION_APP_WORKSPACE_KEY: 'log-flush',
    INTEGRATION_APP_WORKSPACE_SECRET: 'log-flush-secret',
    LOG_LEVEL: 'info',
    LOG_FLUSH_MS: String(ms),
  });

describe('log lines gathered for LOG_FLUSH_MS (the server process)', () => {
  it('writes the start-up lines once the server listens, holds later lines, and writes them at a SIGTERM exit', async () => {
    const proc = await serverWithFlushMs(1000);
    try {
      // startServerProcess returned once /health/live answered: bootstrap() had already flushed.
      expect(proc.output()).toContain('MCP server listening on');
      // An access line (a request the server refuses: no token) is held for the interval, not written at once.
      expect((await fetch(`${proc.url}/mcp/sessions`)).status).toBe(401);
      await new Promise((r) => setTimeout(r, 300));
      expect(proc.output()).not.toContain('"/mcp/sessions"');

      proc.child.kill('SIGTERM');
      expect((await proc.exited).code).toBe(0);
      expect(proc.output()).toContain('"/mcp/sessions"');
      expect(proc.output()).toContain('Shut down cleanly');
    } finally {
      await proc.stop();
    }
  }, 60_000);

  it('with LOG_FLUSH_MS=0 writes each line at once', async () => {
    const proc = await serverWithFlushMs(0);
    try {
      expect((await fetch(`${proc.url}/mcp/sessions`)).status).toBe(401);
      await waitFor('the access line', () => proc.output().includes('"/mcp/sessions"'), { timeoutMs: 5000 });
    } finally {
      await proc.stop();
    }
  }, 60_000);
});
