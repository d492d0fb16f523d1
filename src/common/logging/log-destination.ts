import pino from 'pino';

/** A pino destination whose gathered lines can be pushed out synchronously (at exit, in tests). */
export interface LogDestination extends pino.DestinationStream {
  flushSync(): void;
}

/** Lines gathered before they are written anyway, whatever the interval (bounds memory under a burst). */
const MAX_GATHERED_BYTES = 8 * 1024;

/**
 * Log lines gathered for up to `flushMs` and written together with one synchronous `write(2)`:
 * pino's SonicBoom in synchronous mode holds the lines (and writes at once when 8 KiB are held), an
 * unref'd timer started by the first line of a batch writes the rest. `flushMs` 0 writes every line
 * at once.
 *
 * Why: stdout in a container is a pipe, and a write to a pipe that wakes its reader costs ≈ 15–20 µs
 * of the server's CPU. Written one by one, a `tools/call`'s access line and audit line cost ≈ 34 µs
 * of its ≈ 0.55 ms; gathered for 10 ms at ≈ 1,250 calls/s, ≈ 4 µs (`bench/profile-calls.ts` with
 * `PROF_LOGS=1 LOG_LEVEL=info`, docs/performance.md). pino's asynchronous destination is no answer:
 * unbuffered, it makes every line a libuv thread-pool job; buffered (`minLength`), a quiet server
 * holds lines until the buffer fills, for any length of time.
 *
 * What it gives up: the lines of the last `flushMs` are still in memory when the process is killed
 * (`SIGKILL`, out of memory). A normal exit, `process.exit()` and a crash that exits through Node
 * (uncaught exception) write them first (`exit` handler).
 *
 * The real bound on how long a line is held: `flushMs` of wall-clock time as seen by the next line
 * written (a write finding the batch older than `flushMs` writes it at once), else until the timer
 * runs — which a blocked event loop delays by as long as it is blocked (issue 20: 1.27 s). A line
 * written just before a long synchronous task therefore waits for that task; nothing else can run
 * meanwhile either. `LOG_FLUSH_MS=0` writes every line (audit lines included) at once.
 */
export function gatheringDestination(fd: number, flushMs: number): LogDestination {
  // pino.destination: SonicBoom with pino's handling of a reader that went away (EPIPE: logging stops, no crash).
  const boom = pino.destination({ dest: fd, sync: true, minLength: flushMs > 0 ? MAX_GATHERED_BYTES : 0 });
  // A log that cannot be written (stdout closed) must not take the server down: said once on stderr.
  let failed = false;
  boom.on('error', (err: Error) => {
    if (!failed) process.stderr.write(`log lines cannot be written: ${err.message}\n`);
    failed = true;
  });
  if (flushMs <= 0) return { write: (line: string) => boom.write(line), flushSync: () => undefined };
  let timer: NodeJS.Timeout | undefined;
  /** When the first line of the held batch was written (ms, monotonic). */
  let heldSince = 0;
  const flushSync = () => {
    if (!timer) return;
    clearTimeout(timer);
    timer = undefined;
    // In sync mode flush() writes what is held, now (SonicBoom's own flushSync() also fsyncs).
    boom.flush();
  };
  process.once('exit', flushSync);
  return {
    write(line: string) {
      boom.write(line);
      if (!timer) {
        heldSince = performance.now();
        timer = setTimeout(flushSync, flushMs).unref();
      } else if (performance.now() - heldSince >= flushMs) {
        // The timer is late (a busy event loop): lines are not held longer than flushMs because of it.
        flushSync();
      }
    },
    flushSync,
  };
}

const stdout = new Map<number, LogDestination>();

/** The process's stdout as a log destination, one per interval (one `exit` handler each). */
export function stdoutDestination(flushMs: number): LogDestination {
  let destination = stdout.get(flushMs);
  if (!destination) stdout.set(flushMs, (destination = gatheringDestination(1, flushMs)));
  return destination;
}

/**
 * Writes what the stdout destinations hold now. `bootstrap()` calls it once the server listens, so
 * the start-up lines are out before whatever the caller prints next (the demo's banner, say).
 */
export function flushStdoutLogs(): void {
  for (const destination of stdout.values()) destination.flushSync();
}
