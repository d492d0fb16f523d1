import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { AxiosAdapter, AxiosError, AxiosHeaders, AxiosResponse, CanceledError, getAdapter, InternalAxiosRequestConfig } from 'axios';

/** Largest response body read when the request sets no `maxContentLength` (a runaway upstream must not exhaust memory). */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/** Request options this adapter does not implement: a request using any of them goes to axios' own adapter. */
const NEEDS_AXIOS_ADAPTER = [
  'params',
  'auth',
  'socketPath',
  'httpVersion',
  'http2Options',
  'lookup',
  'family',
  'transport',
  'maxRate',
  'onUploadProgress',
  'onDownloadProgress',
  'insecureHTTPParser',
  'beforeRedirect',
] as const satisfies ReadonlyArray<keyof InternalAxiosRequestConfig | 'httpVersion' | 'http2Options'>;

function fullUrl(config: InternalAxiosRequestConfig): URL {
  const path = config.url ?? '';
  if (!config.baseURL || ABSOLUTE_URL.test(path)) return new URL(path);
  return new URL(path ? `${config.baseURL.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}` : config.baseURL);
}

function decoded(res: http.IncomingMessage, config: InternalAxiosRequestConfig): Readable {
  if (config.decompress === false || res.statusCode === 204 || config.method?.toUpperCase() === 'HEAD') return res;
  const encoding = String(res.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  let stream: Readable;
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(zlib.createGunzip(flush));
  else if (encoding === 'deflate') stream = res.pipe(zlib.createUnzip(flush));
  else if (encoding === 'br') {
    stream = res.pipe(zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }));
  } else return res;
  // Like axios: the body handed on is decoded, so the header no longer describes it.
  delete res.headers['content-encoding'];
  return stream;
}

/**
 * An axios adapter for the SDK's JSON requests to Integration.app, on plain `node:http`/`https`.
 *
 * The SDK client is kept whole (its request building, token handling and error mapping, and axios'
 * config merging, transforms and error types); only the last step — putting the request on the wire
 * and reading the answer — is done here. axios' own Node adapter is general (HTTP/2, proxies,
 * redirects, streams, form data, progress events, rate limits) and cost about 165 µs of CPU per
 * request in `bench/`, a sixth of a whole `tools/call`; this one costs a fraction of that.
 *
 * Same contract as axios' adapter for what it handles: the `timeout` (whole request, `ECONNABORTED`
 * "timeout of N ms exceeded"), the abort `signal` (`ERR_CANCELED`), gzip/deflate/br bodies, keep-alive
 * agents (`httpAgent`/`httpsAgent`), `validateStatus` (an `AxiosError` carrying the response
 * otherwise), `maxContentLength`, network errors as `AxiosError` with the system code. It is used
 * only for requests that set `proxy: false` and `maxRedirects: 0` (as the gateway does when no proxy
 * variable is set); anything else (a proxy, redirects, `params`, basic auth, a socket path, HTTP/2,
 * progress callbacks, a non-string body, streamed responses) goes to axios' own adapter.
 */
export function leanHttpAdapter(): AxiosAdapter {
  const fallback = getAdapter('http');
  return (config) => {
    const data: unknown = config.data;
    const plainBody = data === undefined || data === null || typeof data === 'string' || Buffer.isBuffer(data);
    const plainResponse =
      config.responseType === undefined || config.responseType === 'json' || config.responseType === 'text' || config.responseType === 'arraybuffer';
    if (
      config.proxy !== false ||
      config.maxRedirects !== 0 ||
      !plainBody ||
      !plainResponse ||
      NEEDS_AXIOS_ADAPTER.some((key) => config[key] !== undefined && config[key] !== null)
    ) {
      return fallback(config);
    }
    return new Promise<AxiosResponse>((resolve, reject) => {
      let url: URL;
      try {
        url = fullUrl(config);
      } catch (err) {
        reject(AxiosError.from(err as Error, AxiosError.ERR_INVALID_URL, config));
        return;
      }
      const secure = url.protocol === 'https:';
      if (!secure && url.protocol !== 'http:') {
        reject(new AxiosError(`Unsupported protocol ${url.protocol}`, AxiosError.ERR_BAD_REQUEST, config));
        return;
      }
      const body = data === undefined || data === null ? undefined : data;
      const headers = AxiosHeaders.from(config.headers);
      if (!headers.has('Accept-Encoding')) headers.set('Accept-Encoding', 'gzip, deflate, br');
      if (!headers.has('User-Agent')) headers.set('User-Agent', 'integration-app-mcp-server');
      if (body !== undefined) headers.set('Content-Length', String(Buffer.byteLength(body as string | Buffer)));
      const maxBytes = config.maxContentLength !== undefined && config.maxContentLength > -1 ? config.maxContentLength : DEFAULT_MAX_RESPONSE_BYTES;

      let req: http.ClientRequest | undefined;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const signal = config.signal as AbortSignal | undefined;
      const onAbort = () => fail(new CanceledError(undefined, config, req));
      const cleanup = () => {
        settled = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener?.('abort', onAbort);
      };
      function fail(error: AxiosError): void {
        if (settled) return;
        cleanup();
        req?.destroy();
        reject(error);
      }
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener?.('abort', onAbort, { once: true });

      req = (secure ? https : http).request(url, {
        method: (config.method ?? 'get').toUpperCase(),
        headers: headers.toJSON() as http.OutgoingHttpHeaders,
        agent: (secure ? config.httpsAgent : config.httpAgent) as http.Agent | undefined,
      });
      if (config.timeout && config.timeout > 0) {
        const timeout = config.timeout;
        timer = setTimeout(() => fail(new AxiosError(`timeout of ${timeout}ms exceeded`, AxiosError.ECONNABORTED, config, req)), timeout);
      }
      req.on('error', (err: NodeJS.ErrnoException) => fail(AxiosError.from(err, err.code, config, req)));
      req.on('response', (res) => {
        const stream = decoded(res, config);
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) fail(new AxiosError(`maxContentLength size of ${maxBytes} exceeded`, AxiosError.ERR_BAD_RESPONSE, config, req));
          else chunks.push(chunk);
        });
        stream.on('error', (err: NodeJS.ErrnoException) => fail(AxiosError.from(err, err.code ?? AxiosError.ERR_BAD_RESPONSE, config, req)));
        res.on('aborted', () => fail(new AxiosError('stream has been aborted', AxiosError.ERR_BAD_RESPONSE, config, req)));
        stream.on('end', () => {
          if (settled) return;
          cleanup();
          const buffer = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          const response: AxiosResponse = {
            data: config.responseType === 'arraybuffer' ? buffer : buffer.toString((config.responseEncoding as BufferEncoding | undefined) ?? 'utf8'),
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: new AxiosHeaders(res.headers as Record<string, string>),
            config,
            request: req,
          };
          const validate = config.validateStatus;
          if (!response.status || !validate || validate(response.status)) resolve(response);
          else {
            const code = response.status >= 400 && response.status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE;
            reject(new AxiosError(`Request failed with status code ${response.status}`, code, config, req, response));
          }
        });
      });
      req.end(body as string | Buffer | undefined);
    });
  };
}
