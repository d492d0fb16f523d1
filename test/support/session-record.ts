import type { SessionRecord } from '../../src/sessions/session.types';

/** A session record for store specs and benches: one identity's static-mode session, used just now. */
export const sessionRecord = (id: string, identityKey: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  identityKey,
  workspaceKey: 'ws',
  customerId: identityKey,
  token: 't',
  mode: 'static',
  apps: null,
  enabledTools: [],
  transport: 'streamable-http',
  createdAt: Date.now(),
  lastUsedAt: Date.now(),
  ...extra,
});
