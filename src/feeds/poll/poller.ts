import type { Clock } from '../../clock.js';
import { errorDetail, type Logger } from '../../log.js';

export interface PollerOptions {
  clock: Clock;
  log: Logger;
  /** Earliest next poll of an active feed (from the database), or null when none is active. */
  nextDueAt(): number | null;
  /** Active feeds due at `now`, most overdue first, at most `limit`. */
  dueIds(now: number, limit: number): number[];
  /** Polls one feed; it must record its next poll time when it ends (nextDueAt and dueIds leave it out meanwhile). */
  poll(id: number): Promise<unknown>;
  /** Polls running at once. */
  concurrency: number;
  /** Longest sleep between looks at the database, so feeds added or resumed by another process are seen. */
  maxSleepMs: number;
}

/**
 * Polls each feed when the database says it is due: one timer, armed for the earliest `next_poll_at`
 * (like the dispatcher, the DB decides; an extra wake-up costs a query). Polls never overlap for one feed,
 * at most `concurrency` run at once, and a failing look at the database is logged and retried in a minute.
 */
export function createPoller(options: PollerOptions) {
  const { clock, log } = options;
  const running = new Set<number>();
  let started = false;
  let cancelTimer: (() => void) | null = null;

  function arm(): void {
    cancelTimer?.();
    cancelTimer = null;
    if (!started || running.size >= options.concurrency) return; // a finishing poll re-arms
    let delay = options.maxSleepMs;
    try {
      const at = options.nextDueAt();
      if (at !== null) delay = Math.min(delay, Math.max(0, at - clock.now()));
    } catch (err) {
      log.error({ ...errorDetail(err) }, 'feed poller cannot read the feeds; looking again in a minute');
      delay = 60_000;
    }
    cancelTimer = clock.setTimer(delay, tick);
  }

  function tick(): void {
    cancelTimer = null;
    if (!started) return;
    try {
      const free = options.concurrency - running.size;
      for (const id of free > 0 ? options.dueIds(clock.now(), free + running.size) : []) {
        if (running.size >= options.concurrency) break;
        if (!running.has(id)) launch(id);
      }
    } catch (err) {
      log.error({ ...errorDetail(err) }, 'feed poller tick failed; looking again in a minute');
      cancelTimer = clock.setTimer(60_000, tick);
      return;
    }
    arm();
  }

  function launch(id: number): void {
    running.add(id);
    let polling: Promise<unknown>;
    try {
      polling = options.poll(id);
    } catch (err) {
      polling = Promise.reject(err);
    }
    polling
      .catch((err: unknown) => log.error({ feedId: id, ...errorDetail(err) }, 'feed poll failed outside its own error handling'))
      .finally(() => {
        running.delete(id);
        arm();
      });
  }

  return {
    /** Starts polling due feeds. */
    start(): void {
      started = true;
      arm();
    },
    /** Stops arming; polls in flight finish (or are aborted) by their owner. */
    stop(): void {
      started = false;
      cancelTimer?.();
      cancelTimer = null;
    },
    /** Looks at the database again now (after add, resume, remove). */
    rearm(): void {
      if (started) arm();
    },
    /** Feed ids the poller is polling now. */
    polling(): number[] {
      return [...running];
    },
  };
}

export type Poller = ReturnType<typeof createPoller>;
