/**
 * `npx ts-node --transpile-only bench/search-eval/validate-sets.ts` — checks the evaluation data, never the ranking.
 *
 * For every set of sets.ts (or those in SEARCH_EVAL_SET, comma-separated): every `acceptable` tool and
 * every `apps` key exists in the set's catalog as the server builds it (catalogOf; an archived or
 * deactivated action is not in it and is reported as such), ids are unique, `kind` is one of the known
 * kinds, `intent` is read or write and `namedApp` a boolean where given (both on every entry once one
 * has them), and no read request lists a destructive action (by the server's own tool annotations).
 * Prints only problems and counts; exits 1 when there is a problem. It runs no search.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fixture } from '../../test/emulator/fixture.types';
import { catalogOf } from './catalog';
import { SETS } from './sets';

const KINDS = new Set([
  // dev and A
  'paraphrase',
  'synonym',
  'app-named',
  'cross-app',
  'exact',
  'read-intent',
  'write-intent',
  // B to J
  'no-app',
  'goal',
  'abbreviation',
  'ordinary-word-app',
  'read-write',
]);

interface Entry {
  id?: unknown;
  kind?: unknown;
  query?: unknown;
  intent?: unknown;
  namedApp?: unknown;
  apps?: unknown;
  acceptable?: unknown;
}

function validate(key: string): { problems: string[]; counts: string } {
  const set = SETS[key];
  const problems: string[] = [];
  const fixture = JSON.parse(readFileSync(join(__dirname, set.fixture), 'utf8')) as Fixture;
  const file = join(__dirname, set.file);
  if (!existsSync(file)) return { problems: [`${key}: ${set.file} is missing`], counts: '' };
  const entries = JSON.parse(readFileSync(file, 'utf8')) as Entry[];
  const catalog = catalogOf(fixture);
  const tools = new Map(catalog.tools.map((t) => [t.definition.name, t]));
  const apps = new Set(catalog.tools.map((t) => t.app));
  const retired = new Map<string, string>();
  for (const i of fixture.workspaces[0].integrations)
    for (const a of i.actions) if (a.archived || a.isDeactivated) retired.set(`${i.key}_${a.key}`, a.archived ? 'archived' : 'deactivated');
  const ids = new Set<string>();
  const annotated = entries.some((e) => e.intent !== undefined);
  const tally = new Map<string, number>();
  const count = (k: string) => tally.set(k, (tally.get(k) ?? 0) + 1);
  for (const [n, e] of entries.entries()) {
    const at = `${key}: ${typeof e.id === 'string' ? e.id : `entry ${n}`}`;
    if (typeof e.id !== 'string' || !e.id) problems.push(`${at}: no id`);
    else if (ids.has(e.id)) problems.push(`${at}: duplicate id`);
    else ids.add(e.id);
    if (typeof e.query !== 'string' || !e.query.trim()) problems.push(`${at}: no query`);
    if (typeof e.kind !== 'string' || !KINDS.has(e.kind)) problems.push(`${at}: unknown kind ${JSON.stringify(e.kind)}`);
    else count(`kind ${e.kind}`);
    if (annotated || e.intent !== undefined) {
      if (e.intent !== 'read' && e.intent !== 'write') problems.push(`${at}: intent must be read or write, is ${JSON.stringify(e.intent)}`);
      else count(`intent ${e.intent}`);
      if (typeof e.namedApp !== 'boolean') problems.push(`${at}: namedApp must be a boolean, is ${JSON.stringify(e.namedApp)}`);
      else if (e.namedApp) count('names the app');
    }
    if (e.apps !== undefined) {
      if (!Array.isArray(e.apps) || e.apps.length === 0) problems.push(`${at}: apps must be a non-empty list`);
      else for (const app of e.apps) if (!apps.has(app as string)) problems.push(`${at}: apps names ${JSON.stringify(app)}, not an app of the catalog`);
    }
    if (!Array.isArray(e.acceptable) || e.acceptable.length === 0) {
      problems.push(`${at}: acceptable must be a non-empty list`);
      continue;
    }
    if (new Set(e.acceptable).size !== e.acceptable.length) problems.push(`${at}: acceptable lists a tool twice`);
    for (const name of e.acceptable as string[]) {
      const tool = tools.get(name);
      if (!tool) {
        problems.push(`${at}: acceptable ${name} ${retired.has(name) ? `is ${retired.get(name)}` : 'is not in the catalog'}`);
        continue;
      }
      if (Array.isArray(e.apps) && !e.apps.includes(tool.app)) problems.push(`${at}: acceptable ${name} is outside apps ${e.apps.join(', ')}`);
      if (e.intent === 'read' && tool.definition.annotations?.destructiveHint) problems.push(`${at}: read request lists the destructive ${name}`);
    }
  }
  const counts = [`${entries.length} entries`, ...[...tally].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`)].join(', ');
  return { problems, counts };
}

function main(): void {
  const which = process.env.SEARCH_EVAL_SET ? process.env.SEARCH_EVAL_SET.toLowerCase().split(',') : Object.keys(SETS);
  let total = 0;
  for (const key of which.map((k) => k.trim())) {
    if (!SETS[key]) {
      process.stdout.write(`unknown set ${key}\n`);
      total++;
      continue;
    }
    const { problems, counts } = validate(key);
    total += problems.length;
    process.stdout.write(`${key} (${SETS[key].file}): ${counts}; ${problems.length} problem(s)\n`);
    for (const p of problems) process.stdout.write(`  ${p}\n`);
  }
  process.stdout.write(`${total} problem(s)\n`);
  process.exitCode = total ? 1 : 0;
}

main();
