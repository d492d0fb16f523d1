/**
 * Jest setup: the tests never read a developer's `.env` (the server reads `.env` from the working
 * directory by default, see src/config/env-file.ts); test/env-file.e2e-spec.ts tests that reading.
 */
process.env.ENV_FILE ??= 'none';
