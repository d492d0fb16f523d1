import type { SessionsService } from '../../sessions/sessions.service';

const KEEPALIVE_MS = 25_000;

/**
 * How often an open stream writes a keep-alive and checks that its session still exists (a stream
 * must not outlive its session): every 25 s, or more often when sessions expire sooner.
 */
export function streamTickMs(idleTtlSeconds: number): number {
  return Math.min(KEEPALIVE_MS, Math.max(250, idleTtlSeconds * 500));
}

/**
 * Keeps a server→client stream alive (`keepAlive` writes a comment) and ends it (`end`) once its
 * session is gone — expired, deleted or evicted, on any replica. Returns the function that stops it
 * (call it when the stream closes).
 */
export function keepAliveWhileSessionLives(
  sessions: SessionsService,
  session: { id: string; identityKey: string },
  keepAlive: () => void,
  end: () => void,
): () => void {
  const tick = setInterval(() => {
    keepAlive();
    sessions.peek(session.id, session.identityKey).then(
      (alive) => (alive ? undefined : end()),
      () => undefined,
    );
  }, streamTickMs(sessions.idleTtlSeconds));
  tick.unref();
  return () => clearInterval(tick);
}
