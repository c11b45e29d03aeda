import type { Clock } from '../../src/clock.js';

/** A clock that only moves when told to. advance() fires due timers in time order. */
export function createFakeClock(start = Date.UTC(2026, 10, 26, 12, 0, 0)) {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();

  const clock: Clock & {
    advance(ms: number): void;
    advanceAsync(ms: number, step?: number): Promise<void>;
    advanceByTimers(ms: number, maxStep?: number): Promise<void>;
    set(at: number): void;
    pending(): number;
  } = {
    now: () => now,
    setTimer(ms, fn) {
      const id = (seq += 1);
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return () => timers.delete(id);
    },
    /** Moves time forward by `ms`, firing each due timer at its own time. */
    advance(ms) {
      const target = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at || a[0] - b[0]);
        const first = due[0];
        if (!first) break;
        timers.delete(first[0]);
        now = Math.max(now, first[1].at);
        first[1].fn();
      }
      now = target;
    },
    /** Like advance, in steps, letting promises settle between steps (for async code waiting on timers). */
    async advanceAsync(ms, step = 100) {
      const target = now + ms;
      while (now < target) {
        await settle();
        clock.advance(Math.min(step, target - now));
        await settle();
      }
    },
    /**
     * Like advanceAsync, but jumps from timer to timer (at most `maxStep` at a time), letting promises
     * settle at each timer's own time: hours of simulated pacing in a few hundred steps.
     */
    async advanceByTimers(ms, maxStep = 60_000) {
      const target = now + ms;
      while (now < target) {
        await settle();
        const next = Math.min(...[...timers.values()].map((t) => t.at).filter((at) => at >= now), target, now + maxStep);
        clock.advance(next - now);
        await settle();
      }
    },
    set(at) {
      now = at;
    },
    pending: () => timers.size,
  };
  return clock;
}

/** Lets queued promise callbacks run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Runs work on a fake clock to rest: what is pending now, then the timers due within `ms`, then until
 * `worker` (a dispatcher) is idle, then what that left pending.
 */
export async function runUntilIdle(clock: Pick<ReturnType<typeof createFakeClock>, 'advanceByTimers'>, worker: { idle(): Promise<void> }, ms = 0): Promise<void> {
  await settle();
  await clock.advanceByTimers(ms);
  await worker.idle();
  await settle();
}
