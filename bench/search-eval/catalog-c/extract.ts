/**
 * How catalog-c.json was made (run once; kept as the record, not run by the bench).
 *
 * Source: Activepieces (https://github.com/activepieces/activepieces), commit
 * 39a61884967bb4b5004fae02808ca1350ab72511 (2026-05-11, read from the mirror mapo80/activepieces,
 * which tracks upstream main), MIT licence (Copyright (c) 2020-2024 Activepieces Inc.; the pieces
 * under packages/pieces/community are outside the repository's ee/ directories) — the action
 * definitions (`createAction({ name, displayName, description, props })`) under
 * packages/pieces/community/<app>/src/lib/. Used here only as evaluation data, with this attribution.
 *
 * For each app below: every `createAction` call in the piece's src/lib files (files sorted by path,
 * calls in file order), then at most PER_APP of them taken evenly spaced. The action's key is its
 * `name` in kebab case (`_` and camelCase humps turned into `-`, lower case), its name the `displayName`, its description the `description`,
 * its input schema the top-level keys of `props` (each described by its `description`, or its
 * `displayName` when it has none; a prop defined elsewhere keeps only its key). The app's name is
 * the piece's `displayName` in src/index.ts. An Integration.app-style type only where the file
 * uses a single HTTP method and the key's verb agrees with it (GET + list… → list-data-records,
 * GET + get… → find-data-record-by-id, POST + create… → create-data-record, PUT/PATCH + update… →
 * update-data-record, DELETE + delete… → delete-data-record); otherwise none, as many real actions
 * have none. Nothing was edited by hand.
 *
 * usage: npx ts-node --transpile-only bench/search-eval/catalog-c/extract.ts <git dir of activepieces> > catalog-c.json
 */
import { execFileSync } from 'node:child_process';
import * as ts from 'typescript';

const GIT_DIR = process.argv[2];
const COMMIT = '39a61884967bb4b5004fae02808ca1350ab72511';
const PER_APP = 12;
const APPS = [
  // marketing and outreach
  'mailchimp',
  'klaviyo',
  'convertkit',
  'lemlist',
  'zoho-campaigns',
  // projects, tasks and time
  'clickup',
  'monday',
  'wrike',
  'meistertask',
  'teamwork',
  'microsoft-todo',
  'toggl-track',
  'harvest',
  // support inboxes
  'help-scout',
  'front',
  // tables and sheets
  'airtable',
  'google-sheets',
  'baserow',
  // community, social, media
  'discord',
  'reddit',
  'spotify',
  // content and knowledge
  'confluence',
  'webflow',
  // forms, scheduling, SMS, links
  'paperform',
  'savvycal',
  'clicksend',
  'short-io',
];

const git = (...args: string[]) => execFileSync('git', ['--git-dir', GIT_DIR, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

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
      key: 'search-eval-c',
      secret: 'search-eval-c-secret',
      integrations,
      customers: [
        {
          id: 'eval-c-customer',
          name: 'Eval C',
          connections: integrations.map((i) => ({ id: `conn-${i.key}`, name: i.name, integrationKey: i.key })),
        },
      ],
    },
  ],
};
process.stdout.write(`${JSON.stringify(fixture, null, 1)}\n`);
