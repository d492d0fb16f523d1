import { randomBytes } from 'node:crypto';

/** A run handle's id: `run_` and 32 base64url characters (192 random bits): unguessable, one format. */
export const RUN_ID_PATTERN = /^run_[A-Za-z0-9_-]{32}$/;

export function newRunId(): string {
  return `run_${randomBytes(24).toString('base64url')}`;
}

/** What a finished run answers with: the call's own tool result, or the JSON-RPC error it threw. */
export type RunOutcome =
  { readonly kind: 'result'; readonly result: Record<string, unknown> } | { readonly kind: 'error'; readonly code: number; readonly message: string };

/** A run as its owner sees it. */
export type StoredRun = { readonly status: 'running' } | { readonly status: 'done'; readonly outcome: RunOutcome };

export interface RunLimits {
  /** Runs kept per identity (running or finished). */
  readonly maxPerIdentity: number;
  /** How long a running entry lives without being finished (the run's own time-out and a margin): a replica that died leaves nothing behind for long. */
  readonly runningTtlMs: number;
}

/**
 * Where run handles live (SPEC §18): an entry is written when a call outlives its wait, finished
 * with the call's outcome by the replica that ran it, and read by its owner from any replica.
 * Owner-bound: another identity's id reads as unknown. Bounded per identity: creating one beyond
 * `maxPerIdentity` drops the owner's oldest finished run, or is refused (false) when all of them
 * still run. Entries expire (`runningTtlMs` while running, the result TTL once finished).
 */
export abstract class RunStore {
  /** Adds a running entry for `owner`; false when the owner's runs are all still running at the cap (or the store is full). */
  abstract create(owner: string, runId: string, limits: RunLimits): Promise<boolean>;
  /** Records the outcome (serialized `StoredOutcome`), kept `ttlMs`. */
  abstract finish(owner: string, runId: string, outcome: string, ttlMs: number): Promise<void>;
  /** The run, when it exists and belongs to `owner`. */
  abstract get(owner: string, runId: string): Promise<StoredRun | undefined>;
}

/** Parses a stored outcome (written by `finish`); undefined when it is not one. */
export function parseOutcome(text: string): RunOutcome | undefined {
  try {
    const value = JSON.parse(text) as RunOutcome;
    if (value && value.kind === 'result' && typeof value.result === 'object' && value.result !== null) return value;
    if (value && value.kind === 'error' && typeof value.code === 'number' && typeof value.message === 'string') return value;
  } catch {
    return undefined;
  }
  return undefined;
}
