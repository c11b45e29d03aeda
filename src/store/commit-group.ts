import type { Db } from './open-database.js';

/**
 * Group commit: writes handed in during one short window are run in one write transaction, so many
 * feed polls finishing together cost one commit (one fsync under synchronous=FULL) instead of one each.
 * The fsync, not parsing, is what bounds polls per second on a shared disk (a few ms each).
 *
 * Each write runs in its own savepoint: a write that throws is rolled back alone and rejects alone; the
 * others in the group still commit. A failing commit rejects every write of the group (nothing of it is
 * on disk, so a poll's stories and its feed state stay together: all written, or none).
 * A write's promise resolves only after the commit, so whoever reports a write reports a durable one.
 */
export interface CommitGroup {
  /** Runs `write` (synchronous SQL) in the next group transaction; resolves with its result once committed. */
  run<T>(write: () => T): Promise<T>;
}

interface Pending {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface CommitGroupOptions {
  /**
   * How long the first write of a group waits for others, in ms of real time: as long as the last
   * commit took (a slow disk gathers bigger groups), within these bounds. Default 2 to 25.
   */
  minWindowMs?: number;
  maxWindowMs?: number;
  /** A group is committed at once when it holds this many writes. Default 32. */
  maxWrites?: number;
  /**
   * How many writers there are now (the polls in flight): when every one of them is waiting in the
   * group, it is committed at once, since no other write can come. Default: unknown (wait the window).
   */
  writers?: () => number;
}

/** A commit group over `db` (the feed service's: polls and their feed state). */
export function createCommitGroup(db: Db, options: CommitGroupOptions = {}): CommitGroup {
  const minWindowMs = options.minWindowMs ?? 2;
  const maxWindowMs = options.maxWindowMs ?? 25;
  let lastCommitMs = 0;
  const maxWrites = options.maxWrites ?? 32;
  let pending: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;

  const each = db.transaction((write: () => unknown) => write());
  const all = db.transaction((group: readonly Pending[]) =>
    group.map((entry) => {
      try {
        // Nested in `all`, so a savepoint: a throwing write undoes only its own statements.
        return { ok: true as const, value: each(entry.write) };
      } catch (error) {
        return { ok: false as const, error };
      }
    }),
  );

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    const group = pending;
    pending = [];
    if (group.length === 0) return;
    let outcomes: ReturnType<typeof all>;
    const began = performance.now();
    try {
      outcomes = all.immediate(group);
      lastCommitMs = performance.now() - began;
    } catch (error) {
      for (const entry of group) entry.reject(error);
      return;
    }
    outcomes.forEach((outcome, i) => (outcome.ok ? group[i]!.resolve(outcome.value) : group[i]!.reject(outcome.error)));
  }

  return {
    run<T>(write: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
        if (pending.length >= maxWrites || pending.length >= (options.writers?.() ?? Infinity)) flush();
        else timer ??= setTimeout(flush, Math.min(maxWindowMs, Math.max(minWindowMs, lastCommitMs)));
      });
    },
  };
}
