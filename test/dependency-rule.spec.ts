import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The dependency rule `npm run lint` enforces (.dependency-cruiser.cjs, docs/architecture.md): it holds
 * for src/, and it does catch each kind of violation it names (on a scratch tree, not on src/).
 * Also the package boundary: examples/team-module may import only the package's public surface.
 */
const ROOT = join(__dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

function cruise(cwd: string): { status: number | null; output: string } {
  const run = spawnSync(DEPCRUISE, ['src', '--config', CONFIG, '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('dependency rule', () => {
  it('holds for src/', () => {
    const run = cruise(ROOT);
    expect(run.output).toContain('no dependency violations found');
    expect(run.status).toBe(0);
  });

  describe('on a tree that breaks it', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'dep-rule-'));
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'ES2022', strict: true } }),
        // tools imports telemetry (a layer above it)
        'src/tools/registry.ts': "import { observe } from '../telemetry/observer';\nexport const r = observe;\n",
        'src/telemetry/observer.ts': 'export const observe = 1;\n',
        // a file cycle inside one folder
        'src/sessions/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
        'src/sessions/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
        // mcp reaching into a sub-folder of tools
        'src/mcp/server.ts': "import { e } from '../tools/dynamic/enable';\nexport const s = e;\n",
        'src/tools/dynamic/enable.ts': 'export const e = 1;\n',
        // a feature importing an assembly file
        'src/auth/guard.ts': "import { m } from '../app.module';\nexport const g = m;\n",
        'src/app.module.ts': 'export const m = 1;\n',
        // telemetry importing mcp/sdk/ (the SDK shortcuts, public on purpose) is fine; mcp/transports/ is not
        'src/telemetry/tracing.ts': "import { h } from '../mcp/sdk/hooks';\nimport { t } from '../mcp/transports/json';\nexport const x = h + t;\n",
        'src/mcp/sdk/hooks.ts': 'export const h = 1;\n',
        'src/mcp/transports/json.ts': 'export const t = 1;\n',
        // a transport deciding by a tool's name (tools/ and connect/ are below mcp/, yet off limits to transports/)
        'src/mcp/transports/http.ts':
          "import { ENABLE } from '../../tools/names';\nimport { CONNECT } from '../../connect/tools';\nexport const h = ENABLE + CONNECT;\n",
        'src/tools/names.ts': "export const ENABLE = 'enable-tools';\n",
        'src/connect/tools.ts': "export const CONNECT = 'connect-app';\n",
        // ...while the era's protocol layer may ask the registry
        'src/mcp/session-era/protocol.ts': "import { ENABLE } from '../../tools/names';\nexport const p = ENABLE;\n",
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('fails, naming each broken rule and the import', () => {
      const run = cruise(dir);
      expect(run.status).not.toBe(0);
      expect(run.output).toMatch(/layer-tools: src\/tools\/registry\.ts → src\/telemetry\/observer\.ts/);
      expect(run.output).toMatch(/no-circular: src\/sessions\/a\.ts/);
      expect(run.output).toMatch(/no-deep-imports: src\/mcp\/server\.ts → src\/tools\/dynamic\/enable\.ts/);
      expect(run.output).toMatch(/no-import-of-assembly: src\/auth\/guard\.ts → src\/app\.module\.ts/);
      expect(run.output).toMatch(/no-deep-imports: src\/telemetry\/tracing\.ts → src\/mcp\/transports\/json\.ts/);
      expect(run.output).not.toMatch(/src\/telemetry\/tracing\.ts → src\/mcp\/sdk\/hooks\.ts/);
      expect(run.output).toMatch(/transports-do-io-only: src\/mcp\/transports\/http\.ts → src\/tools\/names\.ts/);
      expect(run.output).toMatch(/transports-do-io-only: src\/mcp\/transports\/http\.ts → src\/connect\/tools\.ts/);
      expect(run.output).not.toMatch(/src\/mcp\/session-era\/protocol\.ts →/);
    });
  });
});

describe('package boundary', () => {
  const eslint = (file: string, text: string) =>
    spawnSync(join(ROOT, 'node_modules', '.bin', 'eslint'), ['--stdin', '--stdin-filename', file], { cwd: ROOT, input: text, encoding: 'utf8' });

  it('lets a team module import the package by name', () => {
    const run = eslint('examples/team-module/src/extra.tools.ts', "import { McpTool } from 'integration-app-mcp-server';\nexport const t = McpTool;\n");
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it("refuses a team module's import of the server's files", () => {
    const run = eslint(
      'examples/team-module/src/extra.tools.ts',
      "import { ToolRegistry } from '../../../src/tools/tool-registry';\nexport const t = ToolRegistry;\n",
    );
    expect(run.stdout).toContain("Import the server from 'integration-app-mcp-server'");
    expect(run.status).toBe(1);
  });
});
