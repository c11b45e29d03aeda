/**
 * Cuts long work into slices of about `budgetMs`, giving the event loop a turn between slices: posting
 * (the dispatcher takes one post per turn), commands and HTTP requests wait at most one slice for a
 * 10,000-item feed, never the whole of it.
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
  const yieldTurn = async () => {
    await pause();
    sliceStart = now();
  };
  return {
    budgetMs,
    tick: () => (now() - sliceStart >= budgetMs ? yieldTurn() : Promise.resolve()),
    pause: yieldTurn,
  };
}

/** One turn of the event loop (after I/O callbacks and the dispatcher's own setImmediate). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
