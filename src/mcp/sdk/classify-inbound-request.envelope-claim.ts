import { PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';

/*
 * SDK shortcut — bypasses: `classifyInboundRequest` of `@modelcontextprotocol/server` (what its
 * `isLegacyRequest` runs) for a POST body the SDK is certain to route to its modern (2026-07-28)
 * path. Deciding the era that way ran the SDK's zod guards on every 2026 request — the result and
 * error response guards fail for a request and build zod issues — and `createMcpHandler` runs the
 * same classification again on the same body (≈ 2 % of a 2026-era call's CPU for the first run).
 *
 * Why it is exact: for a POST whose body is a JSON object, the SDK (pinned 2.4.0) answers `legacy`
 * only for (a) a body its response guards accept — they need a `result` or an `error` member;
 * (b) an `initialize` request without a valid modern claim; (c) a request or notification whose
 * `params._meta` has no `io.modelcontextprotocol/protocolVersion` key (the envelope claim), by
 * itself or with a 2025 header. A body with the claim, with neither `result` nor `error`, and whose
 * `method` is not `initialize` is therefore never legacy: the SDK routes it to the modern path or
 * rejects it there (a malformed envelope, a header mismatch) — and `createMcpHandler` classifies it
 * again and gives that answer. Any other body goes to the SDK's classification as before.
 *
 * Parity: classify-inbound-request.envelope-claim.spec.ts runs both on hand-picked edge cases and
 * on generated bodies (every combination of the members the rule reads) and fails if the shortcut
 * ever says "modern" where the SDK says legacy; src/mcp/protocol-era.spec.ts and
 * test/protocol-eras.e2e-spec.ts route the eras through it.
 */

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Whether the SDK's `classifyInboundRequest` is certain not to classify this POST body as legacy
 * (false means "ask the SDK", not "legacy").
 */
export function certainlyModernPostBody(body: unknown): boolean {
  if (!isPlainObject(body) || 'result' in body || 'error' in body || body.method === 'initialize') return false;
  const params = body.params;
  if (!isPlainObject(params)) return false;
  const meta = params._meta;
  return isPlainObject(meta) && PROTOCOL_VERSION_META_KEY in meta;
}
