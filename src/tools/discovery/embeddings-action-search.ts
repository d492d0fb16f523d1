import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { sessionsConfig, SessionsConfig } from '../../config/app.config';
import { searchConfig, SearchConfig } from '../../config/search.config';
import { logConnectionState, redisOptions, waitReady } from '../../common/redis';
import type { SourceTool, ToolContext, ToolView } from '../tool-source';
import { ActionSearchProvider, ActionSearchRequest, ActionSearchResult } from '../action-search.port';
import { SearchIndexCache } from './search-index-cache';
import { MAX_QUERY_LENGTH } from './search-language';

/** Inputs per embeddings request while computing a catalog's vectors. */
const BATCH = 64;
/** Vectors kept in memory (across tenants): by count and bytes. */
const MAX_VECTORS = 50_000;
const MAX_VECTOR_BYTES = 128 * 1024 * 1024;
/** Query vectors kept (an agent repeats and refines its searches). */
const MAX_QUERY_VECTORS = 2000;
/** Views whose vector lists are kept (references into the vector cache, a few KB each). */
const MAX_VIEWS = 256;
/** After a failure to compute a view's vectors, wait this long before trying again. */
const RETRY_AFTER_MS = 30_000;
/** How long a vector stays in Redis (vectors depend only on model and text). */
const REDIS_TTL_SECONDS = 7 * 24 * 3600;
const LOG_EVERY_MS = 60_000;
/** How long computing a catalog's vectors waits for a Redis connection that is not ready yet. */
const REDIS_WAIT_MS = 1000;

export interface EmbeddingsEndpoint {
  /** Full URL of an OpenAI-compatible embeddings endpoint (`…/v1/embeddings`). */
  url: string;
  model: string;
  apiKey?: string;
  /** Per-request timeout (a query's embedding; each batch of action texts gets ten times as long). */
  timeoutMs: number;
}

/** What is embedded for an action: its title, description and the names of its inputs. */
export function actionText(tool: SourceTool): string {
  const d = tool.definition;
  const props = Object.keys((d.inputSchema as { properties?: object } | undefined)?.properties ?? {});
  return `${d.title ?? d.name}. ${d.description ?? ''}${props.length ? ` Inputs: ${props.join(', ')}.` : ''}`.slice(0, 2000);
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Embeddings search (SPEC §17): an operator's OpenAI-compatible `/v1/embeddings` endpoint ranks
 * actions by cosine similarity to the request. Action vectors are computed once per text and model
 * (so once per catalog version), kept in a bounded memory cache and, with `REDIS_URL`, in Redis for
 * every replica; the query is embedded per search within the timeout. Whatever fails or is late,
 * the search answers `undefined` and the fusion uses the local ranking alone.
 */
@Injectable()
export class EmbeddingsActionSearch extends ActionSearchProvider implements OnModuleDestroy {
  readonly providerName = 'embeddings';
  private readonly logger = new Logger(EmbeddingsActionSearch.name);
  private readonly endpoint?: EmbeddingsEndpoint;
  private readonly vectors = new LRUCache<string, Float32Array>({ max: MAX_VECTORS, maxSize: MAX_VECTOR_BYTES, sizeCalculation: (v) => v.byteLength + 64 });
  private readonly queries = new LRUCache<string, Float32Array>({ max: MAX_QUERY_VECTORS });
  private readonly views = new LRUCache<string, Promise<Float32Array[] | undefined>>({ max: MAX_VIEWS });
  private readonly redis?: Redis;
  private readonly redisPrefix: string;
  private lastLog = 0;
  /** Texts sent to the endpoint since start (tests and operators: vectors are computed once). */
  embedded = 0;

  constructor(
    private readonly indexes: SearchIndexCache,
    @Inject(searchConfig.KEY) config: SearchConfig,
    @Inject(sessionsConfig.KEY) sessions: SessionsConfig,
  ) {
    super();
    this.endpoint = config.embeddings;
    this.redisPrefix = `${sessions.redisKeyPrefix}emb:`;
    if (this.endpoint && sessions.redisUrl) {
      const { options, display } = redisOptions(sessions.redisUrl);
      this.redis = new Redis(sessions.redisUrl, options);
      logConnectionState(this.redis, this.logger, display);
    }
  }

  enabled(): boolean {
    return this.endpoint !== undefined;
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }

  async search(_ctx: ToolContext, view: ToolView, request: ActionSearchRequest): Promise<ActionSearchResult | undefined> {
    const endpoint = this.endpoint;
    if (!endpoint || view.tools.length === 0) return undefined;
    // The catalog's vectors are computed once (in the background); this search waits for them at most the timeout.
    const [query, ready] = await Promise.all([
      this.queryVector(endpoint, request.query.slice(0, MAX_QUERY_LENGTH)),
      withTimeout(this.viewVectors(endpoint, view), endpoint.timeoutMs),
    ]);
    if (!query || !ready) return undefined;
    const allowed = request.apps?.length ? new Set(request.apps) : undefined;
    const scored: Array<{ tool: SourceTool; score: number }> = [];
    view.tools.forEach((tool, i) => {
      if (allowed && (tool.app === undefined || !allowed.has(tool.app))) return;
      scored.push({ tool, score: cosine(query, ready[i]) });
    });
    scored.sort((a, b) => b.score - a.score || a.tool.definition.name.localeCompare(b.tool.definition.name));
    const top = scored[0]?.score || 1;
    return {
      hits: scored.slice(0, request.limit).map((s) => ({ tool: s.tool, score: Math.round((s.score / top) * 1000) / 1000 })),
      total: scored.length,
    };
  }

  /** The query's vector, or undefined when the endpoint did not answer within the timeout. */
  private async queryVector(endpoint: EmbeddingsEndpoint, text: string): Promise<Float32Array | undefined> {
    const key = this.keyOf(endpoint, text);
    const cached = this.queries.get(key);
    if (cached) return cached;
    try {
      const [vector] = await this.embed(endpoint, [text], endpoint.timeoutMs);
      this.queries.set(key, vector);
      return vector;
    } catch (err) {
      this.warn(`query embedding failed (${(err as Error).name}: ${(err as Error).message.slice(0, 200)})`);
      return undefined;
    }
  }

  /** The view's vectors (one computation per catalog version and view, shared by every caller). */
  private viewVectors(endpoint: EmbeddingsEndpoint, view: ToolView): Promise<Float32Array[] | undefined> {
    const key = this.indexes.keyOf(view);
    let promise = this.views.get(key);
    if (!promise) {
      const computing = this.computeView(endpoint, view).then((vectors) => {
        // A failure is remembered for a while, then the next search tries again.
        if (!vectors) setTimeout(() => this.views.get(key) === computing && this.views.delete(key), RETRY_AFTER_MS).unref();
        return vectors;
      });
      promise = computing;
      this.views.set(key, promise);
    }
    return promise;
  }

  /** Every action's vector: from memory, then Redis, then the endpoint (in batches) for the rest. */
  private async computeView(endpoint: EmbeddingsEndpoint, view: ToolView): Promise<Float32Array[] | undefined> {
    try {
      const texts = view.tools.map(actionText);
      const keys = texts.map((t) => this.keyOf(endpoint, t));
      const out: Array<Float32Array | undefined> = keys.map((k) => this.vectors.get(k));
      let missing = out.flatMap((v, i) => (v ? [] : [i]));
      if (missing.length && this.redis && (await waitReady(this.redis, REDIS_WAIT_MS))) {
        const stored = await this.redis.mgetBuffer(...missing.map((i) => this.redisPrefix + keys[i])).catch(() => [] as Array<Buffer | null>);
        missing.forEach((i, j) => {
          const buf = stored[j];
          if (buf && buf.byteLength % 4 === 0 && buf.byteLength > 0) {
            const vector = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
            out[i] = vector;
            this.vectors.set(keys[i], vector);
          }
        });
        missing = out.flatMap((v, i) => (v ? [] : [i]));
      }
      for (let at = 0; at < missing.length; at += BATCH) {
        const batch = missing.slice(at, at + BATCH);
        const vectors = await this.embed(
          endpoint,
          batch.map((i) => texts[i]),
          endpoint.timeoutMs * 10,
        );
        const write = this.redis?.multi();
        batch.forEach((i, j) => {
          out[i] = vectors[j];
          this.vectors.set(keys[i], vectors[j]);
          write?.set(this.redisPrefix + keys[i], Buffer.from(vectors[j].buffer, vectors[j].byteOffset, vectors[j].byteLength), 'EX', REDIS_TTL_SECONDS);
        });
        await write?.exec().catch(() => undefined);
      }
      return out as Float32Array[];
    } catch (err) {
      this.warn(`action embeddings failed (${(err as Error).name}: ${(err as Error).message.slice(0, 200)}); retrying after ${RETRY_AFTER_MS / 1000} s`);
      return undefined;
    }
  }

  private keyOf(endpoint: EmbeddingsEndpoint, text: string): string {
    return createHash('sha256').update(endpoint.model).update('\u0000').update(text).digest('base64url');
  }

  /** One request to the endpoint: vectors in input order. Throws on any failure. */
  private async embed(endpoint: EmbeddingsEndpoint, input: string[], timeoutMs: number): Promise<Float32Array[]> {
    this.embedded += input.length;
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}) },
      body: JSON.stringify({ model: endpoint.model, input }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as { data?: Array<{ embedding?: unknown; index?: unknown }> };
    const data = Array.isArray(body?.data) ? body.data : [];
    if (data.length !== input.length) throw new Error(`expected ${input.length} embeddings, got ${data.length}`);
    const out: Float32Array[] = new Array(input.length);
    data.forEach((d, j) => {
      const i = typeof d.index === 'number' && d.index >= 0 && d.index < input.length ? d.index : j;
      if (!Array.isArray(d.embedding) || d.embedding.length === 0 || d.embedding.length > 16384 || d.embedding.some((x) => typeof x !== 'number')) {
        throw new Error('an embedding is not a list of numbers');
      }
      out[i] = Float32Array.from(d.embedding as number[]);
    });
    if (out.some((v) => v === undefined)) throw new Error('embeddings missing for some inputs');
    return out;
  }

  /** A warning at most once a minute (an endpoint that is down would otherwise log every search). */
  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastLog < LOG_EVERY_MS) return;
    this.lastLog = now;
    this.logger.warn(`Embeddings search: ${message}; the local ranking answers`);
  }
}
