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
 * The extraction itself is ../extract-activepieces.ts (shared with catalog D); this file records the
 * catalog's app list, commit and workspace.
 *
 * usage: npx ts-node --transpile-only bench/search-eval/catalog-c/extract.ts <git dir of activepieces> [output path, default catalog-c.json]
 */
import { join } from 'node:path';
import { extractActivepiecesCli, type ActivepiecesCatalog } from '../extract-activepieces';

export const CATALOG_C: ActivepiecesCatalog = {
  commit: '39a61884967bb4b5004fae02808ca1350ab72511',
  perApp: 12,
  workspace: { key: 'search-eval-c', secret: 'search-eval-c-secret' },
  customer: { id: 'eval-c-customer', name: 'Eval C' },
  output: join(__dirname, 'catalog-c.json'),
  apps: [
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
  ],
};

if (require.main === module) void extractActivepiecesCli(CATALOG_C);
