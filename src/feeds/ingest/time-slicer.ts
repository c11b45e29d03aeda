import { getHeapStatistics } from 'node:v8';

/**
 * Cuts long work into slices of about `budgetMs`, giving the event loop a turn between slices: posting
 * (the dispatcher takes one post per turn), commands and HTTP requests wait at most one slice for a
 * 10,000-item feed, never the whole of it.
 *
 * One slicer is shared by every poll of a feed service: the budget is for all feed work in one turn of
 * the event loop together. With a slicer per poll, sixteen polls in flight each took their own slice
 * per turn, and a breaking post waited sixteen slices at each of its steps.
 */
export interface TimeSlicer {
  /** Milliseconds a slice may take. */
  readonly budgetMs: number;
  /** Yields if the current slice has used its budget; cheap enough to call per item. */
  tick(): Promise<void>;
  /** Ends the current slice now (after a unit of work that cannot be split, such as a transaction). */
  pause(): Promise<void>;
  /**
   * Whether the event loop has had nothing else to do lately: no busy turn for `quietAfterMs`.
   * Work that cannot be split (a write transaction) may then take a bigger piece.
   */
  quiet(): boolean;
}

/** How feed work gives way to other work (posting, commands) that is busy on the event loop. */
export interface GiveWayOptions {
  /**
   * A turn of the event loop in which other work ran at least this long (ms) counts as busy: feed work
   * yields one more turn instead of taking its slice. Default 1 (a post costs a few commits, over 1 ms).
   */
  busyTurnMs?: number;
  /** Longest feed work waits for a quiet turn before it takes its slice anyway (ms). Default 4 budgets. */
  maxWaitMs?: number;
  /** Time without a busy turn after which the loop counts as quiet (ms). Default 20 budgets. */
  quietAfterMs?: number;
  /**
   * Bytes in use on the JS heap (default: V8's own count). A turn in which this fell ran the garbage
   * collector: its time is not taken for other work. V8 runs scavenges between turns, a few ms each
   * every few tens of ms of a big ingest; counted as busy, they kept the loop from ever looking quiet,
   * and a 10,000-item feed was written in three times as many (smaller) transactions.
   */
  heapUsed?: () => number;
}

/**
 * A slicer over `pause` (one turn of the event loop) and a monotonic clock in ms.
 *
 * Feed work is background work: after each slice it yields, and while the turns it yields are busy
 * (the dispatcher posting a backlog of breaking news, one post per turn) it keeps yielding, up to
 * `maxWaitMs`. Without this, feed work took one slice per turn whatever else waited, and a burst of
 * breaking posts drained at one post per slice: during a 10,000-item ingest with a breaking post every
 * 10 ms the posts fell behind for good (seconds of wait, growing).
 */
export function createTimeSlicer(
  budgetMs: number,
  pause: () => Promise<void>,
  now: () => number = () => performance.now(),
  giveWay: GiveWayOptions = {},
): TimeSlicer {
  const busyTurnMs = giveWay.busyTurnMs ?? 1;
  const maxWaitMs = giveWay.maxWaitMs ?? 4 * budgetMs;
  const quietAfterMs = giveWay.quietAfterMs ?? 20 * budgetMs;
  const heapUsed = giveWay.heapUsed ?? (() => getHeapStatistics().used_heap_size);
  let sliceStart = now();
  // When a yielded turn last found other work running (at start: not yet known to be quiet).
  let lastBusyAt = now();
  // Everyone who yields in one slice waits for the same next turn; the slice starts when that turn does,
  // and whoever resumes in it shares the one budget.
  let nextSlice: Promise<void> | null = null;
  const yieldTurn = (): Promise<void> =>
    (nextSlice ??= pause().then(() => {
      nextSlice = null;
      sliceStart = now();
    }));
  const spent = () => now() - sliceStart >= budgetMs;
  // Whoever resumes after an earlier one used up the new slice waits for the next: one budget per turn.
  // A busy turn (other work ran in it) is given another one, for at most maxWaitMs.
  const waitForSlice = async (): Promise<void> => {
    const since = now();
    for (let yielded = now(), heapBefore = heapUsed(); ; ) {
      await yieldTurn();
      const resumed = now();
      const heapAfter = heapUsed();
      const ranOther = resumed - yielded >= busyTurnMs && heapAfter >= heapBefore;
      if (ranOther) lastBusyAt = resumed;
      const busy = ranOther && resumed - since < maxWaitMs;
      yielded = resumed;
      heapBefore = heapAfter;
      if (!spent() && !busy) return;
    }
  };
  return {
    budgetMs,
    tick: () => (spent() ? waitForSlice() : Promise.resolve()),
    pause: waitForSlice,
    quiet: () => now() - lastBusyAt >= quietAfterMs,
  };
}

/** One turn of the event loop (after I/O callbacks and the dispatcher's own setImmediate). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
