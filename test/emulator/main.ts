/**
 * Runs the Integration.app emulator standalone:
 *   EMULATOR_PORT (0 = any free port), EMULATOR_FIXTURE (path to a JSON fixture; default: demo.json),
 *   EMULATOR_GENERATE ("customers:2,connections:20,actions:30" — a synthetic workspace instead),
 *   EMULATOR_LATENCY_MS, EMULATOR_PAGE_SIZE.
 * Prints one JSON line `{ "url": ..., "tokens": { customerId: token } }` once listening.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from './emulator';
import type { Fixture } from './fixture.types';
import { generateFixture } from './generate';

function fixtureFromEnv(): Fixture {
  const gen = process.env.EMULATOR_GENERATE;
  if (gen) {
    const o = Object.fromEntries(
      gen
        .split(',')
        .map((kv) => kv.split(':'))
        .map(([k, v]) => [k.trim(), Number(v)]),
    );
    return generateFixture({ customers: o.customers ?? 1, connections: o.connections ?? 20, actionsPerIntegration: o.actions ?? 30 });
  }
  return JSON.parse(readFileSync(process.env.EMULATOR_FIXTURE ?? join(__dirname, 'fixtures', 'demo.json'), 'utf8')) as Fixture;
}

async function main(): Promise<void> {
  const fixture = fixtureFromEnv();
  const emulator = await startEmulator({
    port: Number(process.env.EMULATOR_PORT ?? 0),
    fixture,
    latencyMs: Number(process.env.EMULATOR_LATENCY_MS ?? 0),
    pageSize: process.env.EMULATOR_PAGE_SIZE ? Number(process.env.EMULATOR_PAGE_SIZE) : undefined,
  });
  const tokens = Object.fromEntries(
    fixture.workspaces.flatMap((w) => w.customers.map((c) => [c.id, emulator.token(c.id, { workspaceKey: w.key, expiresInSeconds: 24 * 3600 })])),
  );
  process.stdout.write(`${JSON.stringify({ url: emulator.url, tokens })}\n`);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
