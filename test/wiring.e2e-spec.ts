import { ModulesContainer } from '@nestjs/core';
import { startEmulator, Emulator } from './emulator/emulator';
import { startApp, RunningApp } from './support/app';
import { e2eFixture, SECRET, WORKSPACE } from './support/e2e-fixture';
import { CatalogService } from '../src/integrations/catalog.service';
import { DecoratedToolsSource } from '../src/tools/mcp-tool.decorator';
import { SchemaValidators } from '../src/tools/schema-validators';

/**
 * How the default assembly is wired (issue #21): only the configuration and the seams (ports bound
 * once, docs/architecture.md) are global, and a provider shared by two modules exists once.
 */
describe('module wiring of the default assembly', () => {
  let emulator: Emulator;
  let running: RunningApp;

  beforeAll(async () => {
    emulator = await startEmulator({ fixture: e2eFixture() });
    running = await startApp({ INTEGRATION_APP_API_URL: emulator.url, INTEGRATION_APP_WORKSPACE_KEY: WORKSPACE, INTEGRATION_APP_WORKSPACE_SECRET: SECRET });
  });
  afterAll(async () => {
    await running?.close();
    await emulator?.close();
  });

  it('has no global module of its own but the seams (the config and logging libraries make theirs global)', () => {
    const globals = [...running.app.get(ModulesContainer).values()]
      .filter((m) => m.isGlobal)
      .map((m) => m.metatype.name)
      .filter((name) => !['InternalCoreModule', 'ConfigHostModule', 'ConfigModule', 'LoggerCoreModule', 'LoggerModule'].includes(name));
    expect(globals.sort()).toEqual(['SeamsModule']);
  });

  it('gives the catalog and the decorated tools one SchemaValidators (one compiled-schema cache)', () => {
    const catalog = running.app.get(CatalogService, { strict: false });
    const decorated = running.app.get(DecoratedToolsSource, { strict: false });
    expect(catalog['schemaValidators']).toBeInstanceOf(SchemaValidators);
    expect(catalog['schemaValidators']).toBe(decorated['validators']);
  });
});
