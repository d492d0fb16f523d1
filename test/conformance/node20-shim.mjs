// Lets the conformance suite (which targets Node >= 22) run on Node 20: `fs.globSync` is added
// from the `glob` package. Loaded with `node --import ./test/conformance/node20-shim.mjs`.
import { register } from 'node:module';
import fs from 'node:fs';

if (typeof fs.globSync !== 'function') register('./node20-fs-hooks.mjs', import.meta.url);
