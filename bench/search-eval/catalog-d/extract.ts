/**
 * How catalog-d.json was made (run once; kept as the record, not run by the bench).
 *
 * Source: Activepieces (https://github.com/activepieces/activepieces), commit
 * 39a61884967bb4b5004fae02808ca1350ab72511 (2026-05-11, read from the mirror mapo80/activepieces,
 * which tracks upstream main; the same commit as catalog C), MIT licence (Copyright (c) 2020-2024
 * Activepieces Inc.; the pieces under packages/pieces/community are outside the repository's ee/
 * directories). Used here only as evaluation data, with this attribution.
 *
 * The extraction is ../extract-activepieces.ts, the same as catalog C's (every action of the piece,
 * files sorted by path, at most 12 evenly spaced; see there); this file records the catalog's app
 * list, commit and workspace. The apps are in domains that catalogs A, B and C do not have. Nothing
 * was edited by hand.
 *
 * usage: npx ts-node --transpile-only bench/search-eval/catalog-d/extract.ts <git dir of activepieces> [output path, default catalog-d.json]
 */
import { join } from 'node:path';
import { extractActivepiecesCli, type ActivepiecesCatalog } from '../extract-activepieces';

export const CATALOG_D: ActivepiecesCatalog = {
  commit: '39a61884967bb4b5004fae02808ca1350ab72511',
  perApp: 12,
  workspace: { key: 'search-eval-d', secret: 'search-eval-d-secret' },
  customer: { id: 'eval-d-customer', name: 'Eval D' },
  output: join(__dirname, 'catalog-d.json'),
  apps: [
    // CRM outside catalog A
    'copper',
    'attio',
    'capsule-crm',
    'close',
    // IT service, helpdesk and incidents
    'service-now',
    'freshdesk',
    'pagerduty',
    // field service and delivery
    'housecall-pro',
    'onfleet',
    // web analytics
    'plausible',
    // data warehouses
    'snowflake',
    'google-bigquery',
    // AI services
    'openai',
    'assemblyai',
    // files, PDF and conversion
    'pdf-co',
    'cloudconvert',
    'iloveapi',
    // CMS and blogging
    'wordpress',
    'ghostcms',
    'totalcms',
    // booking
    'simplybookme',
    'acuity-scheduling',
    // telephony and meetings
    'aircall',
    'webex',
    // social media
    'typefully',
    // connected cars
    'dimo',
    // legal practice
    'mycase-piece',
    // localization and cloud hosting
    'lokalise',
    'digital-ocean',
  ],
};

if (require.main === module) void extractActivepiecesCli(CATALOG_D);
