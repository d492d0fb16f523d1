// `node:fs` plus `globSync` (Node 22) from the `glob` package.
import fs from 'node:fs';
import { globSync as glob } from 'glob';

export * from 'node:fs';
export default fs;
export function globSync(pattern, options = {}) {
  return glob(pattern, { cwd: options.cwd });
}
