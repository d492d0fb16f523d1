/**
 * The extractor of the Activepieces catalogs (catalog C and catalog D): run once per catalog by its
 * catalog-<x>/extract.ts, which records the app list, the commit and the workspace; kept as the
 * record, not run by the bench.
 *
 * Source: Activepieces (https://github.com/activepieces/activepieces), MIT licence (Copyright (c)
 * 2020-2024 Activepieces Inc.; the pieces under packages/pieces/community are outside the
 * repository's ee/ directories) — the action definitions (`createAction({ name, displayName,
 * description, props })`) under packages/pieces/community/<app>/src/lib/. Used only as evaluation
 * data, with this attribution.
 *
 * For each app: every `createAction` call in the piece's src/lib files (files sorted by path,
 * calls in file order), then at most perApp of them taken evenly spaced. The action's key is its
 * `name` in kebab case (`_` and camelCase humps turned into `-`, lower case), its name the `displayName`, its description the `description`,
 * its input schema the top-level keys of `props` (each described by its `description`, or its
 * `displayName` when it has none; a prop defined elsewhere keeps only its key). The app's name is
 * the piece's `displayName` in src/index.ts. An Integration.app-style type only where the file
 * uses a single HTTP method and the key's verb agrees with it (GET + list… → list-data-records,
 * GET + get… → find-data-record-by-id, POST + create… → create-data-record, PUT/PATCH + update… →
 * update-data-record, DELETE + delete… → delete-data-record); otherwise none, as many real actions
 * have none. The JSON is then formatted by the repository's prettier settings (as `npm run format`
 * would), so the file is the extractor's output byte for byte. Nothing is edited by hand.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as prettier from 'prettier';
import * as ts from 'typescript';

export interface ActivepiecesCatalog {
  /** Full commit of the Activepieces repository the pieces are read at. */
  commit: string;
  /** Piece directories under packages/pieces/community, in the catalog's order. */
  apps: string[];
  perApp: number;
  workspace: { key: string; secret: string };
  customer: { id: string; name: string };
  /** Absolute path of the catalog's JSON file (written there unless another path is given). */
  output: string;
}

function literal(node: ts.Expression | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

function field(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of obj.properties) if (ts.isPropertyAssignment(p) && p.name.getText() === name) return p.initializer;
  return undefined;
}

function propName(p: ts.ObjectLiteralElementLike): string | undefined {
  if (!p.name) return undefined;
  if (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) return p.name.text;
  return undefined;
}

interface Found {
  name: string;
  displayName: string;
  description?: string;
  props: Record<string, { type: 'string'; description?: string }>;
}

function actionsIn(path: string, text: string): Found[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: Found[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.expression.getText() === 'createAction' && node.arguments[0] && ts.isObjectLiteralExpression(node.arguments[0])) {
      const def = node.arguments[0];
      const name = literal(field(def, 'name'));
      const displayName = literal(field(def, 'displayName'));
      if (name && displayName) {
        const props: Found['props'] = {};
        const propsNode = field(def, 'props');
        if (propsNode && ts.isObjectLiteralExpression(propsNode)) {
          for (const p of propsNode.properties) {
            const key = propName(p);
            if (!key) continue;
            let description: string | undefined;
            if (
              ts.isPropertyAssignment(p) &&
              ts.isCallExpression(p.initializer) &&
              p.initializer.arguments[0] &&
              ts.isObjectLiteralExpression(p.initializer.arguments[0])
            ) {
              const o = p.initializer.arguments[0];
              description = literal(field(o, 'description')) ?? literal(field(o, 'displayName'));
            }
            props[key] = { type: 'string', ...(description ? { description: description.slice(0, 200) } : {}) };
          }
        }
        const description = literal(field(def, 'description'));
        found.push({ name, displayName, ...(description ? { description } : {}), props });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function typeOf(key: string, text: string): string | undefined {
  const methods = new Set(
    [...text.matchAll(/HttpMethod\.(GET|POST|PUT|PATCH|DELETE)\b|method:\s*['"](GET|POST|PUT|PATCH|DELETE)['"]/g)].map((m) => m[1] ?? m[2]),
  );
  if (methods.size !== 1) return undefined;
  const method = [...methods][0];
  if (method === 'GET' && key.startsWith('list')) return 'list-data-records';
  if (method === 'GET' && key.startsWith('get')) return 'find-data-record-by-id';
  if (method === 'POST' && key.startsWith('create')) return 'create-data-record';
  if ((method === 'PUT' || method === 'PATCH') && key.startsWith('update')) return 'update-data-record';
  if (method === 'DELETE' && key.startsWith('delete')) return 'delete-data-record';
  return undefined;
}

/** The fixture's JSON text (as written to the catalog file) for `catalog`, read from the Activepieces git directory `gitDir`. */
export function extractActivepieces(gitDir: string, catalog: ActivepiecesCatalog): string {
  const { commit: COMMIT, apps: APPS, perApp: PER_APP } = catalog;
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const integrations = APPS.map((app) => {
    const root = `packages/pieces/community/${app}/src`;
    const index = git('show', `${COMMIT}:${root}/index.ts`);
    const appName = /createPiece\(\{[\s\S]*?displayName:\s*['"`]([^'"`]+)['"`]/.exec(index)![1];
    const files = git('ls-tree', '-r', '--name-only', COMMIT, `${root}/lib/`)
      .split('\n')
      .filter((f) => f.endsWith('.ts') && !/\.(spec|test)\.ts$/.test(f))
      .sort();
    const all: { found: Found; text: string }[] = [];
    for (const f of files) {
      const text = git('show', `${COMMIT}:${f}`);
      if (!text.includes('createAction(')) continue;
      for (const found of actionsIn(f, text)) all.push({ found, text });
    }
    const step = Math.max(1, all.length / PER_APP);
    const picked = [...new Set(Array.from({ length: Math.min(PER_APP, all.length) }, (_, i) => Math.floor(i * step)))].map((i) => all[i]);
    const seen = new Set<string>();
    const actions = picked.flatMap(({ found, text }) => {
      const key = found.name
        .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
        .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
        .replace(/_/g, '-')
        .toLowerCase();
      if (seen.has(key)) return [];
      seen.add(key);
      const type = typeOf(key, text);
      return [
        {
          key,
          name: found.displayName,
          ...(found.description ? { description: found.description } : {}),
          inputSchema: { type: 'object', properties: found.props },
          ...(type ? { type } : {}),
        },
      ];
    });
    return { id: `int-${app}`, key: app, name: appName, actions };
  });

  const fixture = {
    workspaces: [
      {
        key: catalog.workspace.key,
        secret: catalog.workspace.secret,
        integrations,
        customers: [
          {
            id: catalog.customer.id,
            name: catalog.customer.name,
            connections: integrations.map((i) => ({ id: `conn-${i.key}`, name: i.name, integrationKey: i.key })),
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(fixture, null, 1)}\n`;
}

/** `extract.ts <git dir of activepieces> [output path]`: writes the fixture, formatted by the repository's prettier settings, to the path (default: the catalog's file). */
export async function extractActivepiecesCli(catalog: ActivepiecesCatalog, argv = process.argv.slice(2)): Promise<void> {
  const [gitDir, out = catalog.output] = argv;
  if (!gitDir) throw new Error('usage: extract.ts <git dir of activepieces> [output path]');
  const options = await prettier.resolveConfig(catalog.output);
  const text = await prettier.format(extractActivepieces(gitDir, catalog), { ...options, filepath: catalog.output });
  writeFileSync(out, text);
}
