import { SessionNotFoundError } from '../common/domain.errors';
import type { SessionsConfig } from '../config/app.config';
import { SessionStore } from './session.store';
import { SessionsService } from './sessions.service';
import { identityOf } from '../auth/identity';

/** A store that fails the test on any call: ids that are not ours must never reach it. */
const untouchable = new Proxy({} as SessionStore, {
  get: (_t, prop) => () => {
    throw new Error(`store.${String(prop)} must not be called`);
  },
});

describe('SessionsService', () => {
  const service = new SessionsService(untouchable, { idleTtlSeconds: 60, maxSessions: 10, maxSessionsPerIdentity: 5 } as SessionsConfig);
  const auth = { token: 't', identity: identityOf('ws', 'c'), verifiedLocally: true };

  it.each(['abc:t', 'x'.repeat(65), '../s', 'a b', '', 's:1'])('answers the session-not-found 404 for the id %p without asking the store', async (id) => {
    await expect(service.load(id, auth)).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(service.peekAny(id)).resolves.toBeUndefined();
  });
});
