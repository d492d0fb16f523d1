/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`, pinned 0.2 line) against
 * this server, for both protocol eras on the one `/mcp`: every requirement set a revision names
 * (`--requirements 2025-11-25` and `--requirements 2026-07-28`), plus the SEP-2243 custom-header
 * scenario in search mode (the run tools are the ones with `x-mcp-header`).
 *
 * The suite is written for its own reference server: many checks call fixture tools
 * (`test_simple_text`, `greet`, …) or prompts/resources this server does not offer. Such a check
 * fails by construction and is classified "not applicable" below, by its exact reason; every other
 * failing check fails this test. The figures are printed and quoted in docs/server.md.
 */
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { e2eFixture } from './support/e2e-fixture';
import { authenticatingGateway, ConformanceCheck, ConformanceRun, runConformance } from './conformance/conformance';

/** Why a failing check does not apply to this server; each reason names what the suite assumed. */
const NOT_APPLICABLE: Array<{ reason: string; scenario?: RegExp; message: RegExp }> = [
  {
    reason: "calls a fixture tool of the suite's reference server",
    message:
      /Unknown tool: \\?"(test_[a-z0-9_]+|greet|slow_compute|failing_job|protocol_error_job|confirm_delete|multi_input|json_schema_2020_12_tool)\\?"|Tool 'json_schema_2020_12_tool' not found|for failing_job returned/,
  },
  { reason: 'the suite could not exercise it (its own "Not testable")', message: /^Not testable:/ },
  {
    reason: 'needs prompts, resources, completions or logging, which this server does not offer (nor advertise)',
    scenario: /^server-(prompts-|resources-|completion-|caching-|input-required-result-non-tool-request-|logging-set-level-|tools-call-with-logging-)/,
    message: /Method not found/,
  },
  {
    reason: 'follows from a fixture tool (input_required / tasks flows)',
    scenario: /^server-(input-required-result-|tasks-)/,
    message: /Prerequisite failed|Expected InputRequiredResult|fixture .* unavailable|MUST be advertised|MUST return -32021|expected -32602; got -32601/,
  },
];

interface Tally {
  passed: number;
  notApplicable: Map<string, number>;
  failed: Array<{ scenario: string; check: ConformanceCheck }>;
}

function tally(run: ConformanceRun): Tally {
  const t: Tally = { passed: 0, notApplicable: new Map(), failed: [] };
  for (const [scenario, checks] of Object.entries(run.scenarios)) {
    for (const check of checks) {
      if (check.status === 'SUCCESS') t.passed++;
      if (check.status !== 'FAILURE') continue;
      const why = NOT_APPLICABLE.find((n) => (!n.scenario || n.scenario.test(scenario)) && n.message.test(check.errorMessage ?? ''));
      if (why) t.notApplicable.set(why.reason, (t.notApplicable.get(why.reason) ?? 0) + 1);
      else t.failed.push({ scenario, check });
    }
  }
  return t;
}

function report(label: string, t: Tally): string {
  const na = [...t.notApplicable.values()].reduce((a, b) => a + b, 0);
  const lines = [`${label}: ${t.passed} of ${t.passed + t.failed.length} applicable checks pass; ${na} not applicable`];
  for (const [reason, n] of t.notApplicable) lines.push(`  not applicable (${n}): ${reason}`);
  for (const f of t.failed) lines.push(`  FAILED ${f.scenario} ${f.check.id}: ${f.check.errorMessage}`);
  return lines.join('\n');
}

const passedIn = (run: ConformanceRun, scenario: string) =>
  Object.entries(run.scenarios)
    .filter(([dir]) => dir.startsWith(`server-${scenario}-`))
    .flatMap(([, checks]) => checks)
    .filter((c) => c.status === 'SUCCESS').length;

describe('Official MCP conformance suite, both eras on one /mcp', () => {
  jest.setTimeout(300_000);
  let emulator: Emulator;
  let server: RunningApp;
  const gateways: Array<{ close(): Promise<void> }> = [];

  async function gateway(query: Record<string, string> = {}): Promise<string> {
    const g = await authenticatingGateway(server.url, emulator.token('cust-1'), query);
    gateways.push(g);
    return `${g.url}/mcp`;
  }

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    server = await startApp({ INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_SECRET: undefined, RATE_LIMIT_PER_MINUTE: '100000' });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await server.close();
    await emulator.close();
  });

  it('2025-11-25 (session era): every applicable check passes', async () => {
    const run = await runConformance(await gateway(), ['--requirements', '2025-11-25']);
    const t = tally(run);
    console.log(report('2025-11-25', t));
    expect(t.failed).toEqual([]);
    for (const scenario of ['server-initialize', 'ping', 'tools-list', 'server-session-lifecycle', 'dns-rebinding-protection']) {
      expect(passedIn(run, scenario)).toBeGreaterThan(0);
    }
  });

  it('2026-07-28 (stateless era): every applicable check passes', async () => {
    const run = await runConformance(await gateway(), ['--requirements', '2026-07-28']);
    const t = tally(run);
    console.log(report('2026-07-28', t));
    expect(t.failed).toEqual([]);
    expect(passedIn(run, 'server-stateless')).toBeGreaterThanOrEqual(20);
    expect(passedIn(run, 'http-header-validation')).toBeGreaterThanOrEqual(10);
    for (const scenario of ['tools-list', 'caching', 'dns-rebinding-protection']) expect(passedIn(run, scenario)).toBeGreaterThan(0);
  });

  it('2026-07-28 custom Mcp-Param headers (SEP-2243), in search mode: every applicable check passes', async () => {
    const run = await runConformance(await gateway({ mode: 'search' }), ['--scenario', 'http-custom-header-server-validation', '--spec-version', '2026-07-28']);
    const t = tally(run);
    console.log(report('2026-07-28 SEP-2243, ?mode=search', t));
    expect(t.failed).toEqual([]);
    // Every check applies: a made-up action name ("Hello") in a run tool is an isError result, not a protocol error (SPEC §12).
    expect([...t.notApplicable.values()].reduce((a, b) => a + b, 0)).toBe(0);
    expect(passedIn(run, 'http-custom-header-server-validation')).toBeGreaterThanOrEqual(10);
  });
});
