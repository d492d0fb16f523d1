/**
 * Adversarial suite, round 3 (issue 20): the input surfaces added since `adversarial.e2e-spec.ts`
 * was written — the 2026-07-28 arm (its headers and `_meta`), policy headers, telemetry on, and
 * replicas on one Redis. For each, a noisy tenant with a valid token of its own pulls the lever while
 * a quiet tenant's calls and `/health/live` stay under a generous bound; memory is measured in a
 * child server process; every log line is searched for tokens and argument markers.
 * (Search terms and search indexes are covered with the search work, issue 22.)
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { INIT_BODY, rawInitialize, rawPost, STATELESS_META, STATELESS_REVISION } from './support/mcp-client';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { customerToken } from './support/jwt';
import { expectQuietUnharmed, whileNoisy } from './support/noisy-neighbour';
import { startOtlpReceiver, OtlpReceiver } from './support/otlp-receiver';
import { testRedisUrl, deleteRedisKeys } from './support/redis-server';
import { startServerProcess } from './support/server-process';
import { waitFor } from './support/wait';

const NOISY = 'cust-1';
const QUIET = 'cust-2';
/** Put in arguments, paths and headers; must never reach a log line. */
const MARKER = `argument-marker-${randomUUID()}`;

/** A POST with any headers (fetch would not send `Host: a b`). */
function rawHttp(base: string, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          'Content-Length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const callBody = (id: number, name: string, args: string) =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${name}","arguments":${args}}}`;
const statelessCallBody = (id: number, name: string, args: string) =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${name}","arguments":${args},"_meta":${JSON.stringify(STATELESS_META)}}}`;
const statelessHeaders = (token: string, name: string) => ({
  Authorization: `Bearer ${token}`,
  'MCP-Protocol-Version': STATELESS_REVISION,
  'Mcp-Method': 'tools/call',
  'Mcp-Name': name,
});

describe('Adversarial round 3: the 2026 arm, policy headers, telemetry and replicas', () => {
  let emulator: Emulator;
  const apps: RunningApp[] = [];
  /** Every token a client of this suite used: none may appear in a log line. */
  const tokens = new Set<string>();
  const redisPrefixes: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await emulator.close();
    await deleteRedisKeys(testRedisUrl(), redisPrefixes);
  });
  beforeEach(() => emulator.clearFaults());

  async function app(env: Record<string, string | undefined>): Promise<RunningApp> {
    const a = await startApp({ INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_SECRET: SECRET, LOG_LEVEL: 'debug', ...env });
    apps.push(a);
    return a;
  }
  function token(customerId: string): string {
    const t = emulator.token(customerId);
    tokens.add(t);
    return t;
  }
  /** The quiet tenant's request: a session-era tool call that must succeed. */
  async function quietCaller(server: RunningApp): Promise<() => Promise<string | undefined>> {
    const quiet = token(QUIET);
    const session = await rawInitialize(server.url, quiet);
    let id = 1;
    return async () => {
      const res = await rawPost(server.url, JSON.parse(callBody(id++, 'notion_search', '{}')), { Authorization: `Bearer ${quiet}`, 'Mcp-Session-Id': session });
      const result = (res.json as { result?: { isError?: boolean } }).result;
      return res.status === 200 && result && !result.isError ? undefined : `${res.status} ${res.text.slice(0, 200)}`;
    };
  }

  describe('Bad input at the door, in both eras', () => {
    let server: RunningApp;
    beforeAll(async () => {
      server = await app({ RATE_LIMIT_PER_MINUTE: '0' });
    });

    it('refuses JSON nested deeper than 64 levels with a clean 400 in both arms (20,000 levels: no 500, no error line), while the quiet tenant works', async () => {
      const noisy = token(NOISY);
      const session = await rawInitialize(server.url, noisy);
      const statuses: Array<[string, number, string]> = [];
      const outcome = await whileNoisy(server.url, await quietCaller(server), async () => {
        for (const levels of [65, 20_000]) {
          for (let i = 0; i < 5; i++) {
            const inner = deepObject(levels);
            const sessionEra = await rawHttp(
              server.url,
              '/mcp',
              { Authorization: `Bearer ${noisy}`, 'Mcp-Session-Id': session },
              callBody(1, 'gmail_list-labels', `{"x":${inner}}`),
            );
            const stateless = await rawHttp(
              server.url,
              '/mcp',
              statelessHeaders(noisy, 'gmail_list-labels'),
              statelessCallBody(1, 'gmail_list-labels', `{"x":${inner}}`),
            );
            const init = await rawHttp(
              server.url,
              '/mcp',
              { Authorization: `Bearer ${noisy}` },
              JSON.stringify({ ...INIT_BODY, params: { ...INIT_BODY.params, x: 1 } }).replace('"x":1', `"x":${inner}`),
            );
            statuses.push(['session', sessionEra.status, sessionEra.text], ['2026', stateless.status, stateless.text], ['initialize', init.status, init.text]);
          }
        }
      });
      for (const [era, status, text] of statuses) {
        expect([era, status]).toEqual([era, 400]);
        expect(JSON.parse(text)).toMatchObject({ error: { code: -32600, message: expect.stringContaining('more than 64 levels deep') } });
      }
      expectQuietUnharmed(outcome);
      expect(server.logs.lines.filter((l) => l.startsWith('error ') || l.includes('"level":50'))).toEqual([]);
    }, 60_000);

    it('answers Host: a b with 400 (not 500) and no log line quotes the query string', async () => {
      const noisy = token(NOISY);
      const before = server.logs.lines.length;
      const stateless = await rawHttp(
        server.url,
        `/mcp?probe=${MARKER}`,
        { ...statelessHeaders(noisy, 'gmail_list-labels'), Host: 'a b' },
        statelessCallBody(1, 'gmail_list-labels', '{}'),
      );
      const init = await rawHttp(server.url, `/mcp?probe=${MARKER}`, { Authorization: `Bearer ${noisy}`, Host: 'a b' }, JSON.stringify(INIT_BODY));
      for (const res of [stateless, init]) {
        expect(res.status).toBe(400);
        expect(JSON.parse(res.text)).toMatchObject({ error: { message: expect.stringContaining('Host header') } });
      }
      const lines = server.logs.lines.slice(before);
      expect(lines.some((l) => l.includes('Rejected POST /mcp with 400'))).toBe(true);
      expect(lines.filter((l) => l.includes(MARKER) || l.includes('probe='))).toEqual([]);
      expect(lines.filter((l) => l.startsWith('error ') || l.includes('"level":50'))).toEqual([]);
    });

    it('keeps a token pasted into the path of a request with broken JSON out of the "Rejected … before routing" line', async () => {
      const noisy = token(NOISY);
      const before = server.logs.lines.length;
      const res = await rawHttp(server.url, `/mcp/${noisy}?token=${noisy}&probe=${MARKER}`, { Authorization: `Bearer ${noisy}` }, '{oops');
      expect(res.status).toBe(400);
      const rejected = server.logs.lines.slice(before).filter((l) => l.includes('before routing'));
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toContain('[redacted-jwt]');
      expect(rejected[0]).not.toContain(noisy);
      expect(rejected[0]).not.toContain(noisy.split('.')[2]);
    });
  });

  describe('The 2026 arm: headers and _meta', () => {
    it('keeps the quiet tenant fast while the noisy one sends mismatched Mcp-Name headers, unknown protocol versions and bulky _meta', async () => {
      const server = await app({ RATE_LIMIT_PER_MINUTE: '0' });
      const noisy = token(NOISY);
      const statuses = new Map<number, number>();
      const outcome = await whileNoisy(server.url, await quietCaller(server), async () => {
        for (let round = 0; round < 20; round++) {
          const answers = await Promise.all(
            Array.from({ length: 10 }, (_, i) => {
              const name = `random-${round}-${i}`;
              const kind = i % 4;
              if (kind === 0) return rawHttp(server.url, '/mcp', statelessHeaders(noisy, 'something-else'), statelessCallBody(i, name, '{}'));
              if (kind === 1)
                return rawHttp(
                  server.url,
                  '/mcp',
                  { ...statelessHeaders(noisy, name), 'MCP-Protocol-Version': `9999-${'x'.repeat(2000)}` },
                  statelessCallBody(i, name, '{}'),
                );
              // _meta with 20 KB of client text and 400 keys.
              const meta = { ...STATELESS_META, ...Object.fromEntries(Array.from({ length: 400 }, (_, k) => [`k${k}`, 'v'.repeat(50)])) };
              const body = JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name, arguments: { q: MARKER }, _meta: meta } });
              return rawHttp(server.url, '/mcp', statelessHeaders(noisy, name), body);
            }),
          );
          for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        }
      });
      // Every answer is a client error (400 for header problems, 200 with a JSON-RPC error for an unknown tool), never a 5xx.
      expect([...statuses.keys()].every((s) => s === 200 || s === 400)).toBe(true);
      expectQuietUnharmed(outcome);
      // The unknown names were audited as unknown_tool, cut, and never as another tool.
      const audit = server.logs.lines.filter((l) => l.includes('"logger":"audit"')).map((l) => JSON.parse(l.slice(5)) as { tool: string; outcome: string });
      const unknown = audit.filter((l) => l.tool.startsWith('random-'));
      expect(unknown.length).toBeGreaterThan(0);
      expect(unknown.every((l) => l.outcome === 'unknown_tool' && l.tool.length <= 128)).toBe(true);
      // Their access lines (HTTP 200) say the JSON-RPC answer was an error.
      const refusedAccess = server.logs.lines.filter((l) => l.includes('"msg":"request completed"') && l.includes('"rpcOutcome":"rpc_error"'));
      expect(refusedAccess.length).toBe(unknown.length);
    }, 60_000);
  });

  describe('Policy headers', () => {
    it('keeps the quiet tenant fast while the noisy one opens sessions and 2026 requests with a new policy each time; entries in any spelling deny', async () => {
      const server = await app({ RATE_LIMIT_PER_MINUTE: '0', MAX_SESSIONS_PER_IDENTITY: '1000' });
      const noisy = token(NOISY);
      const statuses: number[] = [];
      const outcome = await whileNoisy(server.url, await quietCaller(server), async () => {
        for (let round = 0; round < 6; round++) {
          const answers = await Promise.all(
            Array.from({ length: 25 }, (_, i) => {
              const exclude = [...Array.from({ length: 150 }, (_, k) => `app-${round}-${i}-${k}`), 'GMAIL-SEND-EMAIL'].join(',');
              if (i % 2)
                return rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${noisy}`, 'X-MCP-Exclude-Tools': exclude, 'X-MCP-Tools': 'gmail,slack' });
              return rawHttp(
                server.url,
                '/mcp',
                { ...statelessHeaders(noisy, 'gmail_send-email'), 'X-MCP-Exclude-Tools': exclude },
                statelessCallBody(i, 'gmail_send-email', `{"to":["a@example.com"],"body":"${MARKER}"}`),
              );
            }),
          );
          statuses.push(...answers.map((a) => a.status));
        }
      });
      expect(statuses.every((s) => s === 200)).toBe(true);
      expectQuietUnharmed(outcome);
      // gmail_send-email was excluded in its alias form, upper case: every call of it was refused as denied, none ran.
      const audit = server.logs.lines.filter((l) => l.includes('"logger":"audit"')).map((l) => JSON.parse(l.slice(5)) as { tool: string; outcome: string });
      const sends = audit.filter((l) => l.tool === 'gmail_send-email');
      expect(sends.length).toBe(6 * 13);
      expect(sends.every((l) => l.outcome === 'denied')).toBe(true);
      expect(emulator.requests.some((r) => r.method === 'POST' && r.path.includes('/send-email/'))).toBe(false);
    }, 60_000);
  });

  describe('Token checks without a workspace secret', () => {
    it('bounds upstream GET /self globally: N forged tokens claiming N different ids cost at most TOKEN_CHECKS_GLOBAL_PER_MINUTE checks; the rest get a clear 429', async () => {
      const server = await app({ INTEGRATION_APP_WORKSPACE_SECRET: undefined, TOKEN_CHECKS_GLOBAL_PER_MINUTE: '10', TOKEN_CHECKS_PER_MINUTE: '5' });
      emulator.clearRequests();
      const forged = Array.from({ length: 100 }, (_, i) => {
        const t = customerToken({ workspaceKey: WORKSPACE, secret: `wrong-${i}`, customerId: `victim-${i}` });
        tokens.add(t);
        return t;
      });
      const answers = await Promise.all(forged.map((t) => rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${t}` })));
      expect(answers.every((a) => a.status === 401 || a.status === 429)).toBe(true);
      expect(emulator.requests.filter((r) => r.path === '/self').length).toBeLessThanOrEqual(10);
      const limited = answers.find((a) => a.status === 429)!;
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(JSON.stringify(limited.json)).toContain('TOKEN_CHECKS_GLOBAL_PER_MINUTE');
    }, 30_000);

    it('runs at most MAX_CONCURRENT_TOKEN_CHECKS checks at once; the others get 503 + Retry-After at once', async () => {
      const server = await app({ INTEGRATION_APP_WORKSPACE_SECRET: undefined, MAX_CONCURRENT_TOKEN_CHECKS: '2' });
      emulator.addFault({ method: 'GET', path: '/self', delayMs: 500 });
      const valid = Array.from({ length: 8 }, (_, i) => token(`cust-${i + 10}`));
      const started = performance.now();
      const answers = await Promise.all(valid.map((t) => rawPost(server.url, INIT_BODY, { Authorization: `Bearer ${t}` })));
      const busy = answers.filter((a) => a.status === 503);
      expect(answers.filter((a) => a.status === 200 || a.status === 401).length).toBeGreaterThanOrEqual(2);
      expect(busy.length).toBeGreaterThanOrEqual(5);
      expect(busy[0].headers.get('retry-after')).toBe('1');
      expect(JSON.stringify(busy[0].json)).toContain('busy checking other new access tokens');
      expect(performance.now() - started).toBeLessThan(5000);
    }, 30_000);
  });

  describe('Replicas on one Redis', () => {
    it('a noisy tenant that spent its budget on A is refused on B too; the quiet tenant keeps working on both', async () => {
      const prefix = `adv3:${randomUUID()}:`;
      redisPrefixes.push(prefix);
      const env = { INTEGRATION_APP_WORKSPACE_SECRET: undefined, REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, RATE_LIMIT_PER_MINUTE: '30' };
      const a = await app(env);
      const b = await app(env);
      const noisy = token(NOISY);
      const session = await rawInitialize(a.url, noisy);
      const list = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list' });
      const onA = async () => (await rawPost(a.url, list(1), { Authorization: `Bearer ${noisy}`, 'Mcp-Session-Id': session })).status;
      const onB = async () => (await rawPost(b.url, list(1), { Authorization: `Bearer ${noisy}`, 'Mcp-Session-Id': session })).status;
      const quietA = await quietCaller(a);
      const quietB = await quietCaller(b);
      // The quiet tenant stays inside its own budget (30 a minute, shared by both replicas) however
      // long the noisy loop takes on a loaded machine: at most 12 calls on each replica, then it waits.
      let pairs = 0;
      const outcome = await whileNoisy(
        a.url,
        async () => {
          if (pairs >= 12) return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50));
          pairs++;
          return (await quietA()) ?? (await quietB());
        },
        async () => {
          for (let i = 0; i < 60 && (await onA()) === 200; i++);
        },
      );
      expectQuietUnharmed(outcome);
      expect(await onA()).toBe(429);
      expect(await onB()).toBe(429);
      // 2026 requests on B are charged to the same budget.
      const stateless = await rawHttp(b.url, '/mcp', statelessHeaders(noisy, 'gmail_list-labels'), statelessCallBody(1, 'gmail_list-labels', '{}'));
      expect(stateless.status).toBe(429);
    }, 60_000);
  });

  describe('Telemetry on, in a child server process (its heap measured)', () => {
    let receiver: OtlpReceiver;
    beforeAll(async () => {
      receiver = await startOtlpReceiver();
    });
    afterAll(async () => {
      await receiver?.close();
    });

    async function heapUsed(base: string): Promise<number> {
      const text = await (await fetch(`${base}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('nodejs_heap_size_used_bytes'));
      return Number(line!.split(' ')[1]);
    }

    it('survives 200 initialize requests with a 1 MB protocolVersion, 300 mismatched Mcp-Name calls and 200 new policies on a 192 MB heap; memory returns near baseline; the quiet tenant is served', async () => {
      const proc = await startServerProcess({
        INTEGRATION_APP_API_URL: emulator.url,
        INTEGRATION_APP_WORKSPACE_SECRET: SECRET,
        INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_METRIC_EXPORT_INTERVAL: '500',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        RATE_LIMIT_PER_MINUTE: '0',
        BODY_LIMIT: '2mb',
        LOG_LEVEL: 'info',
        NODE_OPTIONS: '--max-old-space-size=192',
      });
      try {
        const noisy = token(NOISY);
        const quiet = token(QUIET);
        const quietSession = await rawInitialize(proc.url, quiet);
        let id = 1;
        const quietCall = async () => {
          const res = await rawPost(proc.url, JSON.parse(callBody(id++, 'notion_search', '{}')), {
            Authorization: `Bearer ${quiet}`,
            'Mcp-Session-Id': quietSession,
          });
          return res.status === 200 ? undefined : `${res.status} ${res.text.slice(0, 200)}`;
        };
        for (let i = 0; i < 20; i++) await quietCall();
        const baseline = await heapUsed(proc.url);
        const version = 'v'.repeat(1024 * 1024);
        const outcome = await whileNoisy(proc.url, quietCall, async () => {
          for (let round = 0; round < 50; round++) {
            await Promise.all([
              ...Array.from({ length: 4 }, (_, i) =>
                rawPost(
                  proc.url,
                  { ...INIT_BODY, params: { ...INIT_BODY.params, protocolVersion: `${round}-${i}-${version}` } },
                  { Authorization: `Bearer ${noisy}` },
                ),
              ),
              ...Array.from({ length: 6 }, (_, i) =>
                rawHttp(proc.url, '/mcp', statelessHeaders(noisy, 'something-else'), statelessCallBody(i, `random-${round}-${i}`, '{}')),
              ),
              // A new policy per request (each a view of the catalog the server may cache).
              ...Array.from({ length: 4 }, (_, i) =>
                rawHttp(
                  proc.url,
                  '/mcp',
                  {
                    ...statelessHeaders(noisy, 'gmail_list-labels'),
                    'X-MCP-Exclude-Tools': Array.from({ length: 150 }, (_, k) => `app-${round}-${i}-${k}`).join(','),
                  },
                  statelessCallBody(i, 'gmail_list-labels', '{}'),
                ),
              ),
            ]);
          }
        });
        expect(proc.child.exitCode).toBeNull();
        // The lever here is memory. Each noisy request carries 1 MB to parse (CPU bounded by BODY_LIMIT,
        // not this issue) on a 192 MB heap busy collecting it: the bound catches a crash or a freeze only.
        expectQuietUnharmed(outcome, 10_000);
        // Two metric exports later, the flood's requests are in the metric — under closed-set values only.
        await waitFor('the flood in the exported metric', () =>
          receiver.histogramPoints('mcp.server.operation.duration').some((p) => p.attributes['mcp.protocol.version'] === 'other'),
        );
        const points = receiver.histogramPoints('mcp.server.operation.duration');
        expect(new Set(points.map((p) => String(p.attributes['mcp.protocol.version']))).size).toBeLessThanOrEqual(4);
        expect(points.some((p) => String(p.attributes['gen_ai.tool.name']).startsWith('random-'))).toBe(false);
        // Memory: the flood sent more than the whole heap (200 MB of versions on a 192 MB heap: kept, as
        // before the fix, it crashed the process); what it allocated is garbage, and the heap comes back
        // near its baseline (within half the heap: no GC is forced, so some garbage may still be there;
        // measured 78.6 → 125.0 MB).
        let after = await heapUsed(proc.url);
        for (let i = 0; i < 40 && after > baseline + 96 * 1024 * 1024; i++) {
          await Promise.all(Array.from({ length: 10 }, () => quietCall()));
          after = await heapUsed(proc.url);
        }
        expect(after - baseline).toBeLessThan(96 * 1024 * 1024);
        const leaks = proc
          .output()
          .split('\n')
          .filter((l) => [...tokens].some((t) => l.includes(t) || l.includes(t.split('.')[2])) || l.includes(MARKER));
        expect(leaks).toEqual([]);
      } finally {
        await proc.stop();
      }
    }, 180_000);
  });

  describe('Logs', () => {
    it('carry no token and no argument marker, at debug level, after everything above', async () => {
      const lines = apps.flatMap((a) => a.logs.lines);
      expect(lines.length).toBeGreaterThan(100);
      const secrets = [...tokens, ...[...tokens].map((t) => t.split('.')[2]), MARKER];
      expect(lines.filter((l) => secrets.some((s) => l.includes(s)))).toEqual([]);
    });
  });
});
