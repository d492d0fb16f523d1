import { OnModuleDestroy } from '@nestjs/common';
import { RunLimits, RunStore, StoredRun, parseOutcome } from './run.store';

interface Entry {
  readonly owner: string;
  outcome?: string;
  expiresAt: number;
}

/** Bounds of the in-memory store across every identity (one replica). */
export interface MemoryRunStoreBounds {
  /** Entries across all identities. */
  readonly maxRuns: number;
  /** Characters of stored outcomes across all identities. */
  readonly maxChars: number;
}

export const MEMORY_RUN_STORE_BOUNDS: MemoryRunStoreBounds = { maxRuns: 10_000, maxChars: 256 * 1024 * 1024 };

/**
 * Run handles in this process (single replica; `REDIS_URL` unset). Bounded per identity (the
 * caller's cap) and across identities (`MEMORY_RUN_STORE_BOUNDS`: beyond them the oldest finished
 * run of anyone is dropped; with none finished a new handle is refused and the call waits to its end).
 */
export class MemoryRunStore extends RunStore implements OnModuleDestroy {
  /** In creation order (a Map keeps insertion order): the first finished one is the oldest. */
  private readonly runs = new Map<string, Entry>();
  private readonly byOwner = new Map<string, Set<string>>();
  private chars = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly bounds: MemoryRunStoreBounds = MEMORY_RUN_STORE_BOUNDS,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.sweeper = setInterval(() => this.sweep(), 30_000);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** How many runs are kept (for tests and metrics). */
  get size(): number {
    return this.runs.size;
  }

  async create(owner: string, runId: string, limits: RunLimits): Promise<boolean> {
    const existing = this.byOwner.get(owner);
    if (existing) this.sweep(existing);
    const mine = this.byOwner.get(owner) ?? new Set<string>();
    while (mine.size >= limits.maxPerIdentity) {
      if (!this.dropOldestFinished(mine)) return false;
    }
    while (this.runs.size >= this.bounds.maxRuns) {
      if (!this.dropOldestFinished(this.runs.keys())) return false;
    }
    this.runs.set(runId, { owner, expiresAt: this.now() + limits.runningTtlMs });
    mine.add(runId);
    this.byOwner.set(owner, mine);
    return true;
  }

  async finish(owner: string, runId: string, outcome: string, ttlMs: number): Promise<void> {
    const entry = this.runs.get(runId);
    if (!entry || entry.owner !== owner) return;
    this.chars += outcome.length - (entry.outcome?.length ?? 0);
    entry.outcome = outcome;
    entry.expiresAt = this.now() + ttlMs;
    while (this.chars > this.bounds.maxChars && this.dropOldestFinished(this.runs.keys())) {
      /* dropped one */
    }
  }

  async get(owner: string, runId: string): Promise<StoredRun | undefined> {
    const entry = this.runs.get(runId);
    if (!entry || entry.owner !== owner) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(runId);
      return undefined;
    }
    if (entry.outcome === undefined) return { status: 'running' };
    const outcome = parseOutcome(entry.outcome);
    return outcome ? { status: 'done', outcome } : undefined;
  }

  private dropOldestFinished(ids: Iterable<string>): boolean {
    for (const id of ids) {
      if (this.runs.get(id)?.outcome !== undefined) {
        this.remove(id);
        return true;
      }
    }
    return false;
  }

  private remove(runId: string): void {
    const entry = this.runs.get(runId);
    if (!entry) return;
    this.runs.delete(runId);
    this.chars -= entry.outcome?.length ?? 0;
    const mine = this.byOwner.get(entry.owner);
    mine?.delete(runId);
    if (mine?.size === 0) this.byOwner.delete(entry.owner);
  }

  /** Drops expired entries (of `ids`, or all). */
  private sweep(ids: Iterable<string> = this.runs.keys()): void {
    const now = this.now();
    for (const id of [...ids]) if ((this.runs.get(id)?.expiresAt ?? Infinity) <= now) this.remove(id);
  }
}
