import type { SessionRecord } from '../sessions/session.types';
import type { ToolContext } from '../tools/tool-source';

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
