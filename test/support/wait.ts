/**
 * Polls `check` until it holds, instead of sleeping a fixed time and hoping; fails naming `what`
 * when it does not hold within `timeoutMs`.
 */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
  const { timeoutMs = 5000, intervalMs = 10 } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Sleeps until the clock reaches `at` (ms since the epoch): for the waits that are the point of a test,
 * such as a TTL passing, measured from when the TTL was set so they are no longer than needed.
 */
export async function sleepUntil(at: number): Promise<void> {
  const ms = at - Date.now();
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}

/** `promise`'s value, or `fallback` once `ms` have passed, whichever comes first; the timer never outlives the race. */
export async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<F>((r) => (timer = setTimeout(() => r(fallback), Math.max(1, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}
