/** Time as the core sees it: injected, so tests move it by hand and never sleep. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** The real clock. Timers are unref'd: a pending wake-up never keeps the process alive on its own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    // setTimeout overflows past 2^31-1 ms (~24.8 days) and would fire at once; cap it, the caller re-arms.
    const handle = setTimeout(fn, Math.min(Math.max(0, ms), 2_147_483_647));
    handle.unref();
    return () => clearTimeout(handle);
  },
};

export const TIMED_OUT = Symbol('timed out');

/** Resolves to the work's value, or TIMED_OUT after `ms` on `clock`; the work's rejection passes through. */
export function raceTimer<T>(clock: Clock, ms: number, work: Promise<T>): Promise<T | typeof TIMED_OUT> {
  return new Promise((resolve, reject) => {
    const cancel = clock.setTimer(ms, () => resolve(TIMED_OUT));
    work.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (err: unknown) => {
        cancel();
        reject(err);
      },
    );
  });
}
