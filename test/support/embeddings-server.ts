import { createHash } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Dimensions of the stand-in's vectors. */
export const STAND_IN_DIMENSIONS = 256;

/** Words of a text, lowercased, with a crude suffix cut (refunds → refund, deleting → delet). */
function standInWords(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2)
    .map((w) => w.replace(/(ing|ed|es|s)$/, ''));
}

/** A deterministic embedding: a hashed bag of words, normalized (texts sharing words are close). */
export function standInVector(text: string): number[] {
  const v = new Array<number>(STAND_IN_DIMENSIONS).fill(0);
  for (const w of standInWords(text)) v[createHash('sha1').update(w).digest().readUInt32BE(0) % STAND_IN_DIMENSIONS] += 1;
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

export interface EmbeddingsServer {
  /** Base URL (`…/v1`); the endpoint is `…/v1/embeddings`. */
  url: string;
  /** Every input text received, in order. */
  inputs: string[];
  requests: number;
  /** Authorization headers received. */
  authorizations: Array<string | undefined>;
  /** Delay before each answer. */
  delayMs: number;
  /** Answer every request with this status instead. */
  failWith?: number;
  close(): Promise<void>;
}

/**
 * A local stand-in for an OpenAI-compatible `/v1/embeddings` endpoint (test infrastructure):
 * `{ model, input: string | string[] }` → `{ object: 'list', data: [{ object: 'embedding', index, embedding }], model }`.
 */
export async function startEmbeddingsServer(): Promise<EmbeddingsServer> {
  let server: Server;
  const state: EmbeddingsServer = {
    url: '',
    inputs: [],
    requests: 0,
    authorizations: [],
    delayMs: 0,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      state.requests++;
      state.authorizations.push(req.headers.authorization);
      const answer = () => {
        if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
          res.writeHead(404).end();
          return;
        }
        if (state.failWith) {
          res.writeHead(state.failWith, { 'content-type': 'application/json' }).end('{"error":{"message":"down"}}');
          return;
        }
        const parsed = JSON.parse(body) as { model: string; input: string | string[] };
        const input = Array.isArray(parsed.input) ? parsed.input : [parsed.input];
        state.inputs.push(...input);
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            object: 'list',
            model: parsed.model,
            data: input.map((text, index) => ({ object: 'embedding', index, embedding: standInVector(text) })),
          }),
        );
      };
      if (state.delayMs) setTimeout(answer, state.delayMs);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}
