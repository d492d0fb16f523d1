/*
 * Shortcut around @integration-app/sdk (pinned, see package.json): its `IntegrationAppError` keeps
 * the error body but drops the HTTP status and headers. Our axios `transformResponse` tags error
 * bodies with them, so the gateway can classify a 429 (and its Retry-After) or a 5xx that came with
 * a structured body. src/integrations/sdk-integration-app.gateway.spec.ts checks, against the
 * emulator with the real SDK, that status and Retry-After survive.
 */

const STATUS_FIELD = '_mcpHttpStatus';
const RETRY_AFTER_FIELD = '_mcpRetryAfter';

/** The body of an `IntegrationAppError` (`err.data`), with our tags. */
export interface SdkErrorData {
  type?: string;
  key?: string;
  message?: string;
  [STATUS_FIELD]?: number;
  [RETRY_AFTER_FIELD]?: unknown;
}

/** axios `transformResponse`: parse JSON like axios does, and tag error bodies with status and Retry-After. */
export function transformResponse(data: unknown, headers: Record<string, unknown> | undefined, status?: number): unknown {
  let parsed = data;
  if (typeof data === 'string' && data.length > 0) {
    try {
      parsed = JSON.parse(data);
    } catch {
      parsed = data;
    }
  }
  if (status !== undefined && status >= 400 && parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const tagged = parsed as Record<string, unknown>;
    tagged[STATUS_FIELD] = status;
    const retryAfter = headers?.['retry-after'];
    if (retryAfter !== undefined) tagged[RETRY_AFTER_FIELD] = retryAfter;
  }
  return parsed;
}

/** The HTTP status and Retry-After our transform put on an SDK error's body. */
export function taggedStatus(data: SdkErrorData): { status?: number; retryAfter?: unknown } {
  return { status: typeof data[STATUS_FIELD] === 'number' ? data[STATUS_FIELD] : undefined, retryAfter: data[RETRY_AFTER_FIELD] };
}

/** Seconds from a Retry-After value (delta-seconds or HTTP date). */
export function parseRetryAfter(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const date = Date.parse(String(value));
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return undefined;
}
