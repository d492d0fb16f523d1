/**
 * The dependency rule (docs/architecture.md, "Dependency rule"), checked by `npm run lint`.
 *
 * Folders of src/ in layers, top to bottom; a folder may import only folders below it:
 *   (assembly: src/*.ts) > health > telemetry > mcp > connect, runs > integrations > tools
 *   > sessions > auth > limits > common > config
 * Also: no file cycles, no folder reaching into another folder's sub-folders (its internals),
 * except the assembly files, `common/`'s shared utilities and `mcp/sdk/` (the SDK shortcuts); and
 * `mcp/transports/` does I/O only: it imports nothing from `tools/`, `connect/`, `runs/`, `integrations/`.
 */
const LAYERS = ['health', 'telemetry', 'mcp', 'connect|runs', 'integrations', 'tools', 'sessions', 'auth', 'limits', 'common', 'config'];

/** For each layer: importing anything in a layer above it is forbidden. */
const layerRules = LAYERS.slice(1).map((layer, i) => ({
  name: `layer-${layer.replace('|', '-')}`,
  comment: `src/${layer}/ sits below ${LAYERS.slice(0, i + 1).join(', ')}: it may not import them (invert with a port the lower folder defines).`,
  severity: 'error',
  from: { path: `^src/(${layer})/` },
  to: { path: `^src/(${LAYERS.slice(0, i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No file cycles.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'no-import-of-assembly',
      comment: 'The assembly files (src/*.ts) import the features; no feature imports them.',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'no-deep-imports',
      comment: "A feature's sub-folders are its internals: other features import its top-level files.",
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: '^src/common/' },
      // src/mcp/sdk/ is public on purpose: every shortcut around the MCP SDK lives there, one file each
      // (docs/architecture.md, "SDK shortcuts"), and telemetry/ hooks the SDK Server's dispatch through it.
      to: { path: '^src/([^/]+)/[^/]+/', pathNot: ['^src/$1/', '^src/common/', '^src/mcp/sdk/'] },
    },
    {
      name: 'transports-do-io-only',
      comment:
        'src/mcp/transports/ reads and writes HTTP; protocol decisions live in the era layers (mcp/session-era/, mcp/stateless/, ' +
        'mcp/protocol-era.ts) and tool decisions behind the registry: a transport imports no tools/, connect/, runs/ or integrations/ code.',
      severity: 'error',
      from: { path: '^src/mcp/transports/' },
      to: { path: '^src/(tools|connect|runs|integrations)/' },
    },
    {
      name: 'no-test-code-in-src',
      comment: 'Production code never imports test helpers, the emulator or benches.',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(test|bench|examples)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
