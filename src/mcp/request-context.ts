import type { Request } from 'express';
import type { AuthContext } from '../auth/identity';
import type { SessionRecord } from '../sessions/session.types';
import { requestPolicy } from '../tools/policy';
import type { ToolRegistry } from '../tools/tool-registry';
import type { ToolContext } from '../tools/tool-source';
import { requestSessionOptions } from './request-options';

/*
 * The one place a request's ToolContext is built: every transport of either era calls one of these
 * two functions (the session era from the stored record, the 2026-07-28 era from the request alone).
 */

/**
 * The tool context of a session-era request: who calls (the session's owner, with the newest
 * token), and the session's view (mode, apps, enabled tools). Transports build it; tools never see HTTP.
 */
export function sessionToolContext(record: SessionRecord): ToolContext {
  return {
    identity: { key: record.identityKey, workspaceKey: record.workspaceKey, customerId: record.customerId },
    token: record.token,
    era: 'session',
    session: { id: record.id, transport: record.transport },
    mode: record.mode,
    apps: record.apps,
    enabledTools: record.enabledTools,
    ...(record.policy ? { policy: record.policy } : {}),
  };
}

/**
 * The tool context of a 2026-07-28 request: the caller the guard authenticated, and the view its URL
 * and headers name (`apps`, policy, and the mode the registry serves in this era for the one asked
 * for, `ToolRegistry.servedMode`); nothing stored.
 */
export function statelessToolContext(
  auth: Pick<AuthContext, 'identity' | 'token'>,
  req: Pick<Request, 'path' | 'query' | 'headers'>,
  modes: Pick<ToolRegistry, 'servedMode'>,
): ToolContext {
  const { mode, apps } = requestSessionOptions(req);
  const policy = requestPolicy(req.headers, req.query as Record<string, unknown>);
  return {
    identity: auth.identity,
    token: auth.token,
    era: 'stateless',
    mode: modes.servedMode('stateless', mode),
    apps,
    enabledTools: [],
    // As a session stores it: an empty policy is none (the registry then applies the operator's
    // ceiling as it is, instead of narrowing it by nothing on every lookup).
    ...(policy.readOnly || policy.allow.length || policy.deny.length ? { policy } : {}),
  };
}
