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
}

/** A slicer over `pause` (one turn of the event loop) and a monotonic clock in ms. */
export function createTimeSlicer(budgetMs: number, pause: () => Promise<void>, now: () => number = () => performance.now()): TimeSlicer {
  let sliceStart = now();
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
  const waitForSlice = async (): Promise<void> => {
    do await yieldTurn();
    while (spent());
  };
  return {
    budgetMs,
    tick: () => (spent() ? waitForSlice() : Promise.resolve()),
    pause: waitForSlice,
  };
}

/** One turn of the event loop (after I/O callbacks and the dispatcher's own setImmediate). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
