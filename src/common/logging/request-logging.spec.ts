import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createRootLogger, requestLogging } from './request-logging';
import { waitFor } from '../../../test/support/wait';

type Line = Record<string, any>;

async function withServer(
  level: string,
  handler: (req: http.IncomingMessage & { log: Logger; auth?: unknown }, res: http.ServerResponse) => void,
  run: (url: string, lines: Line[]) => Promise<void>,
): Promise<void> {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  const root = createRootLogger({ logLevel: level }, sink);
  const middleware = requestLogging(root);
  const server = http.createServer((req, res) => middleware(req, res, () => handler(req as never, res)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, lines);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

describe('requestLogging', () => {
  it('writes one access line per request: id, method, path without query, status, time, session, identity', async () => {
    await withServer(
      'info',
      (req, res) => {
        req.auth = { identity: { key: 'abcdef0123456789abcdef' } };
        res.setHeader('mcp-session-id', 'sess-1');
        res.end('{}');
      },
      async (url, lines) => {
        const res = await fetch(`${url}/mcp?token=secret-token`, { method: 'POST', headers: { 'x-request-id': 'req-42' } });
        expect(res.headers.get('x-request-id')).toBe('req-42');
        await res.text();
        await waitFor('the access line', () => lines.length > 0);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatchObject({
          level: 30,
          msg: 'request completed',
          req: { id: 'req-42', method: 'POST', path: '/mcp' },
          res: { statusCode: 200 },
          sessionId: 'sess-1',
          identity: 'abcdef012345',
        });
        expect(typeof lines[0].responseTime).toBe('number');
        expect(JSON.stringify(lines)).not.toContain('secret-token');
      },
    );
  });

  it('makes up an id when the incoming one is not sane, logs 5xx at error and skips probes', async () => {
    await withServer(
      'info',
      (req, res) => {
        res.statusCode = req.url === '/boom' ? 502 : 200;
        res.end();
      },
      async (url, lines) => {
        const weird = await fetch(`${url}/boom`, { headers: { 'x-request-id': 'has spaces<>' } });
        expect(weird.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        await fetch(`${url}/health/live`);
        await fetch(`${url}/metrics`);
        // A last request whose line, once written, shows that the probes' lines would have been too.
        await fetch(`${url}/last`);
        await waitFor('the access line of /last', () => lines.some((l) => l.req?.path === '/last'));
        expect(lines).toHaveLength(2);
        expect(lines[0]).toMatchObject({ level: 50, req: { path: '/boom', id: weird.headers.get('x-request-id') }, res: { statusCode: 502 } });
        expect(lines[1]).toMatchObject({ level: 30, req: { path: '/last' } });
      },
    );
  });

  it('binds request lines written through req.log to the request, and writes nothing below the level', async () => {
    await withServer(
      'warn',
      (req, res) => {
        req.log.info('not written');
        req.log.debug('not written');
        req.log.warn({ tool: 'x' }, 'written');
        req.log.child({ context: 'Svc' }).error('child written');
        res.end();
      },
      async (url, lines) => {
        await fetch(`${url}/mcp/sessions?x=1`, { headers: { 'x-request-id': 'r-7' } });
        await waitFor('the two lines at or above warn', () => lines.length >= 2);
        expect(lines.map((l) => l.msg)).toEqual(['written', 'child written']);
        expect(lines[0]).toMatchObject({ level: 40, tool: 'x', req: { id: 'r-7', method: 'GET', path: '/mcp/sessions' } });
        expect(lines[1]).toMatchObject({ level: 50, context: 'Svc', req: { id: 'r-7' } });
      },
    );
  });

  it('reports a request whose client went away before the answer as aborted', async () => {
    let answered!: () => void;
    const closed = new Promise<void>((r) => (answered = r));
    let arrived!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    await withServer(
      'info',
      (_req, res) => {
        res.once('close', () => answered());
        arrived();
      },
      async (url, lines) => {
        const ac = new AbortController();
        const pending = fetch(`${url}/mcp`, { signal: ac.signal }).catch(() => undefined);
        await reached;
        ac.abort();
        await pending;
        await closed;
        await waitFor('the aborted line', () => lines.length > 0);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatchObject({ msg: 'request aborted', req: { path: '/mcp' } });
      },
    );
  });
});
