import axios, { AxiosError, AxiosInstance } from 'axios';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { leanHttpAdapter } from './lean-http.adapter';

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  port?: number;
}

describe('leanHttpAdapter', () => {
  let server: http.Server;
  let base: string;
  const seen: Seen[] = [];
  let client: AxiosInstance;
  const agent = new http.Agent({ keepAlive: true });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString(), port: req.socket.remotePort });
        const path = (req.url ?? '').split('?')[0];
        const json = JSON.stringify({ ok: true, path });
        if (path === '/gzip') return res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(zlib.gzipSync(json));
        if (path === '/deflate') return res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'deflate' }).end(zlib.deflateSync(json));
        if (path === '/br') return res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' }).end(zlib.brotliCompressSync(json));
        if (path === '/missing')
          return res
            .writeHead(404, { 'content-type': 'application/json' })
            .end(JSON.stringify({ type: 'bad_request', key: 'not_found', message: 'No such thing' }));
        if (path === '/html') return res.writeHead(502, { 'content-type': 'text/html', 'retry-after': '7' }).end('<html>bad gateway</html>');
        if (path === '/drop') return req.socket.destroy();
        if (path === '/half') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
          res.write('{"partial":');
          return void setTimeout(() => req.socket.destroy(), 20);
        }
        if (path === '/half-gzip') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          res.write(zlib.gzipSync(JSON.stringify({ big: 'y'.repeat(10000) })).subarray(0, 40));
          return void setTimeout(() => req.socket.destroy(), 20);
        }
        if (path === '/slow') return void setTimeout(() => res.writeHead(200).end('{}'), 300);
        if (path === '/big') return res.writeHead(200).end('x'.repeat(5000));
        res.writeHead(200, { 'content-type': 'application/json' }).end(json);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = axios.create({ baseURL: base, adapter: leanHttpAdapter(), proxy: false, httpAgent: agent, maxRedirects: 0 });
  });
  beforeEach(() => {
    seen.length = 0;
  });
  afterAll(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const failure = async (p: Promise<unknown>): Promise<AxiosError> => {
    try {
      await p;
    } catch (err) {
      return err as AxiosError;
    }
    throw new Error('expected a failure');
  };

  it('sends JSON with its headers and length, and reads the JSON answer through axios transforms', async () => {
    const res = await client.post('/connections/c1/actions/send/run', { to: ['a@b.co'], n: 1 }, { headers: { Authorization: 'Bearer t' } });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ ok: true, path: '/connections/c1/actions/send/run' });
    expect(res.headers['content-type']).toBe('application/json');
    expect(seen[0]).toMatchObject({ method: 'POST', body: '{"to":["a@b.co"],"n":1}' });
    expect(seen[0].headers).toMatchObject({
      authorization: 'Bearer t',
      'content-type': 'application/json',
      'content-length': '23',
      'user-agent': 'integration-app-mcp-server',
    });
    expect(seen[0].headers['accept-encoding']).toContain('gzip');
  });

  it.each(['/gzip', '/deflate', '/br'])('decodes %s bodies', async (path) => {
    const res = await client.get(path);
    expect(res.data).toEqual({ ok: true, path });
    expect(res.headers['content-encoding']).toBeUndefined();
  });

  it('rejects a 4xx with an AxiosError carrying the parsed response', async () => {
    const err = await failure(client.get('/missing'));
    expect(axios.isAxiosError(err)).toBe(true);
    expect(err.code).toBe(AxiosError.ERR_BAD_REQUEST);
    expect(err.response?.status).toBe(404);
    expect(err.response?.data).toEqual({ type: 'bad_request', key: 'not_found', message: 'No such thing' });
  });

  it('rejects a 5xx HTML page as a bad response with its headers', async () => {
    const err = await failure(client.get('/html'));
    expect(err.code).toBe(AxiosError.ERR_BAD_RESPONSE);
    expect(err.response?.status).toBe(502);
    expect(err.response?.data).toBe('<html>bad gateway</html>');
    expect(err.response?.headers['retry-after']).toBe('7');
  });

  it('reports a dropped connection with the system error code', async () => {
    const err = await failure(client.get('/drop'));
    expect(axios.isAxiosError(err)).toBe(true);
    expect(err.code).toBe('ECONNRESET');
    expect(err.response).toBeUndefined();
  });

  it.each(['/half', '/half-gzip'])('fails (does not hang) when the connection drops in the middle of a %s body', async (path) => {
    const err = await failure(client.get(path, { timeout: 2000 }));
    expect(axios.isAxiosError(err)).toBe(true);
    expect(err.code).not.toBe(AxiosError.ECONNABORTED);
    expect(err.response).toBeUndefined();
  });

  it('times out the whole request like axios (ECONNABORTED)', async () => {
    const err = await failure(client.get('/slow', { timeout: 50 }));
    expect(err.code).toBe(AxiosError.ECONNABORTED);
    expect(err.message).toBe('timeout of 50ms exceeded');
  });

  it('cancels on the abort signal, also when it is already aborted', async () => {
    const ac = new AbortController();
    const pending = failure(client.get('/slow', { signal: ac.signal }));
    setTimeout(() => ac.abort(), 20);
    expect((await pending).code).toBe(AxiosError.ERR_CANCELED);
    expect(axios.isCancel(await failure(client.get('/ok', { signal: AbortSignal.abort() })))).toBe(true);
  });

  it('stops reading at maxContentLength', async () => {
    const err = await failure(client.get('/big', { maxContentLength: 1000 }));
    expect(err.message).toContain('maxContentLength');
  });

  it('keeps connections alive through the given agent', async () => {
    for (let i = 0; i < 4; i++) await client.get('/ok');
    expect(new Set(seen.map((s) => s.port)).size).toBe(1);
  });

  it("leaves what it does not handle (query params, basic auth, redirects, a proxy setting) to axios' own adapter", async () => {
    await client.get('/ok', { params: { a: 1 } });
    await client.get('/ok', { auth: { username: 'u', password: 'p' } });
    await client.get('/ok', { maxRedirects: 5 });
    await axios.create({ baseURL: base, adapter: leanHttpAdapter(), maxRedirects: 0 }).get('/ok');
    expect(seen.map((s) => s.url)).toEqual(['/ok?a=1', '/ok', '/ok', '/ok']);
    expect(seen[1].headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(seen.every((s) => s.headers['user-agent']?.startsWith('axios/'))).toBe(true);
  });

  it('speaks HTTPS through the given https agent (TLS verified against its CA)', async () => {
    const tls = join(__dirname, '..', '..', 'test', 'support', 'tls');
    const cert = readFileSync(join(tls, 'cert.pem'));
    const secure = https.createServer({ cert, key: readFileSync(join(tls, 'key.pem')) }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ secure: true, ua: req.headers['user-agent'] }));
    });
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
    const httpsAgent = new https.Agent({ keepAlive: true, ca: cert });
    try {
      const url = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
      const res = await axios.create({ baseURL: url, adapter: leanHttpAdapter(), proxy: false, maxRedirects: 0, httpsAgent }).get('/self');
      expect(res.data).toEqual({ secure: true, ua: 'integration-app-mcp-server' });
      // Without the CA the certificate is rejected, as it should be.
      const untrusted = await failure(axios.create({ baseURL: url, adapter: leanHttpAdapter(), proxy: false, maxRedirects: 0 }).get('/self'));
      expect(untrusted.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    } finally {
      httpsAgent.destroy();
      secure.closeAllConnections();
      await new Promise((r) => secure.close(r));
    }
  });
});
