/**
 * `npm run bench:search` with an embeddings provider (SEARCH_EVAL_EMBEDDINGS=use, or
 * SEARCH_EVAL_EMBEDDINGS_URL + SEARCH_EVAL_EMBEDDINGS_MODEL [+ SEARCH_EVAL_EMBEDDINGS_API_KEY]):
 * the server's own `FusedActionSearch` and `EmbeddingsActionSearch`, wired by Nest as `ToolsModule`
 * wires them (configuration from the SEARCH_EMBEDDINGS_* variables, providers found by discovery),
 * asked as `search-actions` asks them. Only the timeout differs from a default deployment: the eval
 * raises SEARCH_EMBEDDINGS_TIMEOUT_MS (SEARCH_EVAL_EMBEDDINGS_TIMEOUT_MS, default 60,000 ms, the
 * most the server accepts) so that every query gets the model's answer; the queries that still fell
 * back to the local ranking are counted. Vectors are not shared through Redis here (REDIS_URL unset).
 *
 * With `use`, the Universal Sentence Encoder server (use-embeddings-server.ts) runs as a child
 * process, over HTTP on a free local port, so its memory is measured on its own.
 */
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { sessionsConfig } from '../../src/config/app.config';
import { searchConfig } from '../../src/config/search.config';
import type { ActionSearchRequest, ActionSearchResult } from '../../src/tools/action-search.port';
import { EmbeddingsActionSearch } from '../../src/tools/discovery/embeddings-action-search';
import { FusedActionSearch, readSafe } from '../../src/tools/discovery/fused-action-search';
import { LocalActionSearch } from '../../src/tools/discovery/local-action-search';
import { SEARCH_PROVIDERS } from '../../src/tools/discovery/search-providers';
import type { SourceTool, ToolContext, ToolView } from '../../src/tools/tool-source';
import { searchContext, viewOf } from '../../test/support/tool-view';

/** The search providers of `ToolsModule` (src/tools/tools.module.ts), nothing else. */
@Module({
  imports: [DiscoveryModule, ConfigModule.forFeature(searchConfig), ConfigModule.forFeature(sessionsConfig)],
  providers: SEARCH_PROVIDERS,
})
class SearchProvidersModule {}

export interface FusedRanking {
  /** What `search-actions` answers with the provider configured (top 10). */
  fused: SourceTool[];
  /** The embeddings provider's own list (before fusion and safety ordering), when it answered. */
  embeddings?: SourceTool[];
  /** The local ranking's deep list (50), as the fusion read it. */
  local: SourceTool[];
  /** The provider answered nothing: the search answered with the local ranking. */
  fellBack: boolean;
  /** Wall time of the fused search, and of the local ranking alone (same query, same index). */
  ms: number;
  localMs: number;
}

export interface FusedEval {
  label: string;
  /** The view of a catalog, its vectors computed (as the first search of a catalog does); returns ms. */
  prepare(tools: readonly SourceTool[]): Promise<{ view: ToolView; ms: number }>;
  rank(view: ToolView, query: { query: string; apps?: string[] }): Promise<FusedRanking>;
  /** Cost lines (after the run). */
  costLines(rows: FusedRanking[]): Promise<string[]>;
  close(): Promise<void>;
}

function startUseServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', join(__dirname, 'use-embeddings-server.ts'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the USE embeddings server did not start within 120 s')), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the USE embeddings server exited (${code})`));
    });
  });
}

function procStatus(pid: number | undefined, field: string): string {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? `${Math.round(Number(m[1]) / 1024)} MB` : '?';
  } catch {
    return '?';
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

export async function startFusedEval(): Promise<FusedEval> {
  let server: { child: ChildProcess; url: string } | undefined;
  let url = process.env.SEARCH_EVAL_EMBEDDINGS_URL;
  let model = process.env.SEARCH_EVAL_EMBEDDINGS_MODEL;
  if (process.env.SEARCH_EVAL_EMBEDDINGS === 'use') {
    const started = performance.now();
    server = await startUseServer();
    process.stderr.write(`USE embeddings server up in ${Math.round(performance.now() - started)} ms at ${server.url}\n`);
    url = server.url;
    model = 'use-512';
  }
  if (!url || !model) throw new Error('SEARCH_EVAL_EMBEDDINGS=use, or SEARCH_EVAL_EMBEDDINGS_URL with SEARCH_EVAL_EMBEDDINGS_MODEL');
  process.env.SEARCH_EMBEDDINGS_URL = url;
  process.env.SEARCH_EMBEDDINGS_MODEL = model;
  if (process.env.SEARCH_EVAL_EMBEDDINGS_API_KEY) process.env.SEARCH_EMBEDDINGS_API_KEY = process.env.SEARCH_EVAL_EMBEDDINGS_API_KEY;
  const timeoutMs = Number(process.env.SEARCH_EVAL_EMBEDDINGS_TIMEOUT_MS ?? 60_000);
  process.env.SEARCH_EMBEDDINGS_TIMEOUT_MS = String(timeoutMs);
  delete process.env.REDIS_URL;

  const app: INestApplicationContext = await NestFactory.createApplicationContext(SearchProvidersModule, { logger: ['error', 'warn'] });
  await app.init();
  const fusedSearch = app.get(FusedActionSearch);
  const local = app.get(LocalActionSearch);
  const provider = app.get(EmbeddingsActionSearch);
  if (!provider.enabled()) throw new Error('the embeddings provider is not enabled');
  // The provider's answers, seen on their way into the fusion (its behaviour is unchanged).
  const seen = new Map<string, ActionSearchResult | undefined>();
  const original = provider.search.bind(provider);
  provider.search = async (ctx: ToolContext, view: ToolView, request: ActionSearchRequest) => {
    const result = await original(ctx, view, request);
    seen.set(request.query, result);
    return result;
  };
  const ctx = searchContext();

  return {
    label: `${model} at ${server ? 'the local USE server (use-embeddings-server.ts)' : url}, fused by FusedActionSearch (timeout ${timeoutMs} ms)`,
    async prepare(tools) {
      const view = viewOf(tools);
      const started = performance.now();
      await fusedSearch.search(ctx, view, { query: 'warm up the catalog', limit: 10 });
      return { view, ms: performance.now() - started };
    },
    async rank(view, q) {
      const request = { query: q.query, apps: q.apps, limit: 10 };
      seen.delete(q.query);
      let started = performance.now();
      const answer = await fusedSearch.search(ctx, view, request);
      const ms = performance.now() - started;
      started = performance.now();
      readSafe(q.query, local.searchNow(view, request).hits);
      const localMs = performance.now() - started;
      const deep = local.searchNow(view, { ...request, limit: 50 });
      const emb = seen.get(q.query);
      return {
        fused: answer.hits.map((h) => h.tool),
        embeddings: emb?.hits.map((h) => h.tool),
        local: deep.hits.map((h) => h.tool),
        fellBack: emb === undefined,
        ms,
        localMs,
      };
    },
    async costLines(rows) {
      const lines = [
        `- fused search per query (wall, the query embedded over HTTP, catalog vectors ready): p50 ${pct(
          rows.map((r) => r.ms),
          50,
        ).toFixed(1)} ms, p95 ${pct(
          rows.map((r) => r.ms),
          95,
        ).toFixed(
          1,
        )} ms, max ${Math.max(...rows.map((r) => r.ms)).toFixed(1)} ms over ${rows.length} queries; the local ranking alone (top 10, read-safe), same queries: p50 ${pct(
          rows.map((r) => r.localMs),
          50,
        ).toFixed(2)} ms, p95 ${pct(
          rows.map((r) => r.localMs),
          95,
        ).toFixed(2)} ms`,
        `- texts sent to the endpoint by the provider: ${provider.embedded}`,
      ];
      if (server) {
        const stats = (await (await fetch(`${server.url.replace(/\/v1$/, '')}/stats`)).json()) as Record<string, number>;
        lines.push(
          `- USE server: model load ${stats.loadMs} ms; ${stats.requests} requests, ${stats.embedded} texts through the model in ${stats.modelMs} ms (${(
            stats.modelMs / Math.max(1, stats.embedded)
          ).toFixed(
            1,
          )} ms a text, batches ≤ 8), ${stats.cacheHits} cache hits, ${stats.abandoned} batches not embedded because their client gave up (timed out)`,
          `- USE server memory (its own process, ts-node included): RSS now ${procStatus(server.child.pid, 'VmRSS')}, peak ${procStatus(server.child.pid, 'VmHWM')}; its heap ${stats.heapUsedMb} MB`,
        );
      }
      return lines;
    },
    async close() {
      await app.close();
      if (server) {
        server.child.kill();
      }
    },
  };
}
