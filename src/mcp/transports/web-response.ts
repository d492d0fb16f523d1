import type { Response } from 'express';
import type { RequestOutcome } from '../request-tracer';
import { jsonAnswerBody } from '../sdk/per-request-transport-send.json-answer';

/**
 * Writes the 2026-07-28 era's answer — a Web `Response` from the MCP SDK v2 — to Node's response:
 * status and headers, then the body (a whole answer in one write with its Content-Length, SSE as it
 * comes, with back-pressure). The client
 * going away first aborts the exchange (and with it the running handler). A refusal (status ≥ 400)
 * is reported to `outcome` (the request's span and access line).
 */
export async function writeWebResponse(res: Response, answering: Promise<globalThis.Response>, abort: AbortController, outcome: RequestOutcome): Promise<void> {
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);
  try {
    const response = await answering;
    if (response.status >= 400) outcome.fail(String(response.status));
    if (res.destroyed) return;
    const type = response.headers.get('content-type') ?? '';
    if (response.body && /^text\/event-stream/i.test(type)) {
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      res.writeHead(response.status, headers);
      await writeStream(response.body, res);
      return;
    }
    // A whole answer: read first, then head and body leave together. A JSON body as a string, so
    // Node sends it with its Content-Length in one write(2) (a Buffer goes out after the head, in a writev).
    // (A JSON result the per-request Server settled without a body carries its message: src/mcp/sdk/.)
    const body =
      jsonAnswerBody(response) ??
      (!response.body ? undefined : /^application\/json/i.test(type) ? await response.text() : Buffer.from(await response.arrayBuffer()));
    if (res.destroyed) return;
    res.statusCode = response.status;
    response.headers.forEach((value, name) => res.setHeader(name, value));
    res.end(body);
  } finally {
    res.off('close', onClose);
  }
}

/** An SSE answer, written as it comes with back-pressure; it stops when the client goes away. */
async function writeStream(body: ReadableStream<Uint8Array>, res: Response): Promise<void> {
  const reader = body.getReader();
  const gone = () => void reader.cancel().catch(() => undefined);
  res.once('close', gone);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value)) await new Promise<void>((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', gone);
  }
}
