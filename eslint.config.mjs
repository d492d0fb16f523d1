// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // Unused values are errors; a leading underscore marks a deliberately unused parameter.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // State lives in providers; the console is for scripts, never src/.
      'no-console': 'error',
      // A variable read by a closure before its one assignment stays a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The client snippets docs/clients.md quotes (and mint-token.mjs): plain Node scripts that print what they got.
    files: ['examples/clients/**/*.mjs', 'examples/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', TextEncoder: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
  {
    // Tests, benchmarks, the emulator and scripts may print and use loose fixtures.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'examples/**/test/**/*.ts', 'scripts/**/*', 'src/**/*.spec.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // A team's module sees the package's public surface only (package.json "exports": src/index.ts).
    files: ['examples/team-module/**/*.ts'],
    ignores: ['examples/team-module/test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../**/src', '../**/src/**', '../**/test/**'],
              message: "Import the server from 'integration-app-mcp-server' (its public surface), not its files.",
            },
          ],
        },
      ],
    },
  },
);
